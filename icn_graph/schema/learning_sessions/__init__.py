"""Learning Sessions in the schema: sessions, agenda items, registrations and their mutations."""

from icn_graph.schema.learning_sessions.agenda import AgendaItem, person_agenda_items
from icn_graph.schema.learning_sessions.mutations import LearningSessionMutations
from icn_graph.schema.learning_sessions.nodes import FETCHERS
from icn_graph.schema.learning_sessions.registrations import Registration
from icn_graph.schema.learning_sessions.sessions import LearningSession, resolve_learning_sessions

__all__ = [
    "FETCHERS",
    "AgendaItem",
    "LearningSession",
    "LearningSessionMutations",
    "Registration",
    "person_agenda_items",
    "resolve_learning_sessions",
]
