"""Core's areas as internal plugins: each module registers its area through the same hooks a
third-party plugin implements (root fields, routes, measures, mail templates, event consumers,
migrations, demo data). The list below is the one place they are named, in registration order.
"""

BUILTIN_PLUGINS: tuple[str, ...] = (
    "icn_graph.builtin.tables",
    "icn_graph.builtin.directory",
    "icn_graph.builtin.goals",
    "icn_graph.builtin.learning_sessions",
    "icn_graph.builtin.notifications",
    "icn_graph.builtin.reports",
    "icn_graph.builtin.stewardship",
    "icn_graph.builtin.data_views",
)
