"""Database plumbing: declarative base, column types, engine and session factories."""

from icn_graph.db.base import Base
from icn_graph.db.database import Database

__all__ = ["Base", "Database"]
