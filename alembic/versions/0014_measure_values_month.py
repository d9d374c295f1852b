"""measure_values by month: republishing the months an import rewrote reads and flags every
center's cells of those months

Revision ID: 0014_measure_values_month
Revises: 0013_disclosed_cells
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014_measure_values_month"
down_revision: str | Sequence[str] | None = "0013_disclosed_cells"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_measure_values_month", "measure_values", ["month"])


def downgrade() -> None:
    op.drop_index("ix_measure_values_month", table_name="measure_values")
