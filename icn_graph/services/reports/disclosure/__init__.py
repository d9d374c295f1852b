"""The disclosure policy: what of every measure value may be published to whom.

One published table for everyone. ``republish`` computes, whenever values change, which cells
are hidden outside their center (primary small cells and complementary suppression across
centers, the network total and measure families: ``pattern``) and stores it; readers go through
``reading`` and only read it; ``audit`` proves by linear programming that nothing hidden can be
recovered (import ``disclosure.audit`` on its own: it loads scipy). Per role, access rules
(``access``) only decide *which centers* a reader sees identified: a center's own team sees its
cells in full.
"""

from icn_graph.services.reports.disclosure.families import Family, Quantity, family_of
from icn_graph.services.reports.disclosure.pattern import Suppression, suppress
from icn_graph.services.reports.disclosure.publish import (
    PublishSummary,
    publish_groups,
    republish,
)
from icn_graph.services.reports.disclosure.reading import (
    PublishedCount,
    latest_counts,
    load_center_series,
    load_series,
    shows,
)
from icn_graph.services.reports.disclosure.small_cells import (
    SMALLEST_SHOWN_COUNT,
    is_small_count,
    reveals_small_count,
)
from icn_graph.services.reports.disclosure.table import FamilyMonth, StoredCell, family_months

__all__ = [
    "SMALLEST_SHOWN_COUNT",
    "Family",
    "FamilyMonth",
    "PublishSummary",
    "PublishedCount",
    "Quantity",
    "StoredCell",
    "Suppression",
    "family_months",
    "family_of",
    "is_small_count",
    "latest_counts",
    "load_center_series",
    "load_series",
    "publish_groups",
    "republish",
    "reveals_small_count",
    "shows",
    "suppress",
]
