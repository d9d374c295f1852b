"""The suite uses the fixtures plugin authors get (icn_graph/testing.py, the pytest plugin
``icn_graph``): every database test runs on SQLite and on PostgreSQL, through the real app."""

from __future__ import annotations

from icn_graph.testing import BACKENDS, fresh_database_url

__all__ = ["BACKENDS", "fresh_database_url"]
