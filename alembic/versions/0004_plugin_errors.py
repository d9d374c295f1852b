"""plugin_errors: failures of plugins' event handlers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plugin_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plugin", sa.String(length=100), nullable=False),
        sa.Column("hook", sa.String(length=50), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plugin_errors")),
    )
    with op.batch_alter_table("plugin_errors", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plugin_errors_plugin_occurred_at", ["plugin", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("plugin_errors", schema=None) as batch_op:
        batch_op.drop_index("ix_plugin_errors_plugin_occurred_at")
    op.drop_table("plugin_errors")
