"""Importing this module registers every core table on ``Base.metadata`` (for Alembic and
tests): core's areas, the event outbox, the notification engine and the plugin engine's."""

import icn_graph.events.models
import icn_graph.models
import icn_graph.notifications.models
import icn_graph.plugins.models  # noqa: F401
