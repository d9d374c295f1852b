"""panels: adoptions of a delivered proposal's call to action as 90-day goals

Revision ID: panels_0007
Revises: panels_0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "panels_0007"
down_revision: str | Sequence[str] | None = "panels_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "panels_adoptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("adopted_by", sa.Integer(), nullable=True),
        sa.Column("adopted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(center_id IS NULL) <> (person_id IS NULL)",
            name=op.f("ck_panels_adoptions_one_adopter"),
        ),
        sa.ForeignKeyConstraint(
            ["adopted_by"],
            ["people.id"],
            name=op.f("fk_panels_adoptions_adopted_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["centers.id"],
            name=op.f("fk_panels_adoptions_center_id_centers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goals.id"],
            name=op.f("fk_panels_adoptions_goal_id_goals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_panels_adoptions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["panels_proposals.id"],
            name=op.f("fk_panels_adoptions_proposal_id_panels_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels_adoptions")),
    )
    with op.batch_alter_table("panels_adoptions", schema=None) as batch_op:
        batch_op.create_index("uq_panels_adoptions_goal_id", ["goal_id"], unique=True)
        batch_op.create_index(
            "uq_panels_adoptions_proposal_id_center_id", ["proposal_id", "center_id"], unique=True
        )
        batch_op.create_index(
            "uq_panels_adoptions_proposal_id_person_id", ["proposal_id", "person_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("panels_adoptions", schema=None) as batch_op:
        batch_op.drop_index("uq_panels_adoptions_proposal_id_person_id")
        batch_op.drop_index("uq_panels_adoptions_proposal_id_center_id")
        batch_op.drop_index("uq_panels_adoptions_goal_id")
    op.drop_table("panels_adoptions")
