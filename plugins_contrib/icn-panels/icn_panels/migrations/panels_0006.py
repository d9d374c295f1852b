"""panels: feedback on a Learning Session (the closing poll and agenda ratings)

Revision ID: panels_0006
Revises: panels_0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "panels_0006"
down_revision: str | Sequence[str] | None = "panels_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCORES = ("belonging", "needs_met", "shared_goals", "influence")


def upgrade() -> None:
    op.create_table(
        "panels_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "NETWORK_STAFF",
                "CARE_TEAM",
                "PARENT_PARTNER",
                "PATIENT_PARTNER",
                name="panels_feedback_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in SCORES),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *(
            sa.CheckConstraint(
                f"{name} BETWEEN 1 AND 5", name=op.f(f"ck_panels_feedback_{name}_range")
            )
            for name in SCORES
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_panels_feedback_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_panels_feedback_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels_feedback")),
    )
    with op.batch_alter_table("panels_feedback", schema=None) as batch_op:
        batch_op.create_index(
            "uq_panels_feedback_session_id_person_id", ["session_id", "person_id"], unique=True
        )
    op.create_table(
        "panels_feedback_ratings",
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "score BETWEEN 1 AND 5", name=op.f("ck_panels_feedback_ratings_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_panels_feedback_ratings_agenda_item_id_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["panels_feedback.id"],
            name=op.f("fk_panels_feedback_ratings_feedback_id_panels_feedback"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "feedback_id", "agenda_item_id", name=op.f("pk_panels_feedback_ratings")
        ),
    )
    with op.batch_alter_table("panels_feedback_ratings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_panels_feedback_ratings_agenda_item_id", ["agenda_item_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("panels_feedback_ratings", schema=None) as batch_op:
        batch_op.drop_index("ix_panels_feedback_ratings_agenda_item_id")

    op.drop_table("panels_feedback_ratings")
    with op.batch_alter_table("panels_feedback", schema=None) as batch_op:
        batch_op.drop_index("uq_panels_feedback_session_id_person_id")

    op.drop_table("panels_feedback")
