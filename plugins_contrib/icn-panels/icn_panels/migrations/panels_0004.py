"""panels: a proposal's call to action

Revision ID: panels_0004
Revises: panels_0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "panels_0004"
down_revision: str | Sequence[str] | None = "panels_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("panels_proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_to_action", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("panels_proposals", schema=None) as batch_op:
        batch_op.drop_column("call_to_action")
