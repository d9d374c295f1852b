"""published table: measure_values.published and network_values (the disclosure pattern)

Existing values start unpublished (hidden outside their center) until the pattern is computed:
run `icn-graph reports republish` (or `icn-graph measures refresh`) after upgrading.

Revision ID: 0012_published_cells
Revises: 0011_historical_mail
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_published_cells"
down_revision: str | Sequence[str] | None = "0011_historical_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("measure_values", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "network_values",
        sa.Column("measure_key", sa.String(length=64), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("measure_key", "month", name=op.f("pk_network_values")),
    )


def downgrade() -> None:
    op.drop_table("network_values")
    with op.batch_alter_table("measure_values", schema=None) as batch_op:
        batch_op.drop_column("published")
