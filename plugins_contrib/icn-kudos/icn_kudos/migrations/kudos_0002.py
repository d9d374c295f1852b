"""kudos for a goal

Revision ID: kudos_0002
Revises: kudos_0001
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kudos_0002"
down_revision: str | Sequence[str] | None = "kudos_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goal_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_kudos_goal_id_goals"), "goals", ["goal_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_kudos_goal_id", ["goal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kudos", schema=None) as batch_op:
        batch_op.drop_index("ix_kudos_goal_id")
        batch_op.drop_constraint(batch_op.f("fk_kudos_goal_id_goals"), type_="foreignkey")
        batch_op.drop_column("goal_id")
