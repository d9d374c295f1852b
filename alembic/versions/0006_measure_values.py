"""measure_values: monthly numerator and denominator per measure and center

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from icn_graph.db.types import UTCDateTime

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "measure_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_key", sa.String(length=64), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["centers.id"],
            name=op.f("fk_measure_values_center_id_centers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_values")),
        sa.UniqueConstraint(
            "measure_key",
            "center_id",
            "month",
            name=op.f("uq_measure_values_measure_key_center_id_month"),
        ),
    )
    with op.batch_alter_table("measure_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_measure_values_measure_key_month", ["measure_key", "month"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("measure_values", schema=None) as batch_op:
        batch_op.drop_index("ix_measure_values_measure_key_month")
    op.drop_table("measure_values")
