"""Sort directions shared by every listing."""

from __future__ import annotations

import enum


class OrderDirection(enum.StrEnum):
    ASC = "ASC"
    DESC = "DESC"
