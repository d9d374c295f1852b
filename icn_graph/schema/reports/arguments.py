"""The arguments every report field takes (``report``, ``Center.report``, ``Network.report``),
described once; free of the report types, so ``schema/centers.py`` can import them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from icn_graph.schema.reports.enums import ChartKind

MeasureArgument = Annotated[str, strawberry.argument(description="A measure key (see `measures`).")]
FromArgument = Annotated[
    date | None,
    strawberry.argument(
        name="from", description="First month (any day in it); default: the first with data."
    ),
]
ToArgument = Annotated[
    date | None,
    strawberry.argument(description="Last month (any day in it); default: the last with data."),
]
ChartArgument = Annotated[
    ChartKind,
    strawberry.argument(description="Which chart's centre line, limits and signals to compute."),
]
BaselineArgument = Annotated[
    int | None,
    strawberry.argument(
        description="Freeze the centre line and limits on the first N months with data."
    ),
]
LaneyArgument = Annotated[
    bool, strawberry.argument(description="Laney p' limits for large denominators (P_CHART).")
]
