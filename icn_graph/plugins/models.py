"""Failures of plugins' event handlers, kept so staff can see what broke and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow


class PluginError(Base):
    __tablename__ = "plugin_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(100))
    hook: Mapped[str] = mapped_column(String(50))
    event_type: Mapped[str | None] = mapped_column(String(100), default=None)
    error: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_plugin_errors_plugin_occurred_at", "plugin", "occurred_at"),)
