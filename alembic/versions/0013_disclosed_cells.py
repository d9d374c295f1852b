"""measure_values.disclosed: a cell once published with its current counts stays known

Existing published cells count as disclosed (readers may have saved them).

Revision ID: 0013_disclosed_cells
Revises: 0012_published_cells
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_disclosed_cells"
down_revision: str | Sequence[str] | None = "0012_published_cells"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("measure_values", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disclosed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute("UPDATE measure_values SET disclosed = published")


def downgrade() -> None:
    with op.batch_alter_table("measure_values", schema=None) as batch_op:
        batch_op.drop_column("disclosed")
