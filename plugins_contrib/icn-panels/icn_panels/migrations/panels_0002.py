"""the pipeline of accepted proposals: stages

Revision ID: panels_0002
Revises: panels_0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "panels_0002"
down_revision: str | Sequence[str] | None = "panels_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["people.id"],
        name=op.f(f"fk_panels_stages_{column}_people"),
        ondelete="SET NULL",
    )


def upgrade() -> None:
    op.create_table(
        "panels_stages",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "IDEA",
                "OUTLINE",
                "COACHED",
                "PREPPED",
                "RUN_THROUGH",
                "DELIVERED",
                name="panels_stage",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("coach_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("rehearsal_on", sa.Date(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.Integer(), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        _person("coach_id"),
        _person("completed_by"),
        _person("owner_id"),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["panels_proposals.id"],
            name=op.f("fk_panels_stages_proposal_id_panels_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "stage", name=op.f("pk_panels_stages")),
    )
    with op.batch_alter_table("panels_stages", schema=None) as batch_op:
        batch_op.create_index("ix_panels_stages_due_on", ["due_on"], unique=False)
        batch_op.create_index("ix_panels_stages_owner_id", ["owner_id"], unique=False)
        batch_op.create_index("ix_panels_stages_coach_id", ["coach_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("panels_stages", schema=None) as batch_op:
        batch_op.drop_index("ix_panels_stages_coach_id")
        batch_op.drop_index("ix_panels_stages_owner_id")
        batch_op.drop_index("ix_panels_stages_due_on")

    op.drop_table("panels_stages")
