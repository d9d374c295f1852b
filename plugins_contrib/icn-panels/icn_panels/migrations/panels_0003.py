"""scheduling: a proposal's agenda item

Revision ID: panels_0003
Revises: panels_0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "panels_0003"
down_revision: str | Sequence[str] | None = "panels_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("panels_proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agenda_item_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_panels_proposals_agenda_item_id_agenda_items"),
            "agenda_items",
            ["agenda_item_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_panels_proposals_agenda_item_id", ["agenda_item_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("panels_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_panels_proposals_agenda_item_id")
        batch_op.drop_constraint(
            batch_op.f("fk_panels_proposals_agenda_item_id_agenda_items"), type_="foreignkey"
        )
        batch_op.drop_column("agenda_item_id")
