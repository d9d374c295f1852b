"""Data views as they are shown: renderings, files (signed in, and through public links),
publication and links, and the center-comparison funnel."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Route

from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.schema.stewardship.comparison import NetworkComparison
from icn_graph.schema.stewardship.publishing import DataViewMutations
from icn_graph.schema.stewardship.rendering import DataViewShown, DataViewsQuery
from icn_graph.web import data_views


@hookimpl
def register_routes() -> Sequence[BaseRoute]:
    # The public path first: "/data-views/{file}" would not match it (a file name has no "/"),
    # but the order says which one a reader of this list should look at.
    return [
        Route(data_views.PUBLIC_PATH, data_views.public_view_file, methods=data_views.METHODS),
        Route(data_views.VIEW_PATH, data_views.view_file, methods=data_views.METHODS),
    ]


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(
        query=DataViewsQuery,
        mutation=DataViewMutations,
        extend={"DataView": DataViewShown, "Network": NetworkComparison},
    )
