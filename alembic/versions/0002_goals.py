"""90-day goals, key results and check-ins

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _status(name: str) -> sa.Enum:
    return sa.Enum(
        "ON_TRACK",
        "AT_RISK",
        "OFF_TRACK",
        "DONE",
        "DROPPED",
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
    )


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("aim", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", _status("goal_status"), nullable=False),
        sa.Column("confidence", sa.SmallInteger(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(center_id IS NULL AND person_id IS NOT NULL)"
            " OR (center_id IS NOT NULL AND person_id IS NULL)",
            name=op.f("ck_goals_owner"),
        ),
        sa.CheckConstraint("confidence BETWEEN 1 AND 10", name=op.f("ck_goals_confidence")),
        sa.CheckConstraint("due_on > starts_on", name=op.f("ck_goals_dates")),
        sa.ForeignKeyConstraint(
            ["center_id"], ["centers.id"], name=op.f("fk_goals_center_id_centers")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_goals_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_goals_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["people.id"], name=op.f("fk_goals_updated_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
    )
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_goals_center_id_due_on_id", ["center_id", "due_on", "id"], unique=False
        )
        batch_op.create_index("ix_goals_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_goals_due_on_id", ["due_on", "id"], unique=False)
        batch_op.create_index(
            "ix_goals_person_id_due_on_id", ["person_id", "due_on", "id"], unique=False
        )
        batch_op.create_index("ix_goals_title_id", ["title", "id"], unique=False)

    op.create_table(
        "goal_check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", _status("check_in_status"), nullable=False),
        sa.Column("confidence", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "confidence BETWEEN 1 AND 10", name=op.f("ck_goal_check_ins_confidence")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_goal_check_ins_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_goal_check_ins_goal_id_goals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_check_ins")),
    )
    with op.batch_alter_table("goal_check_ins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_goal_check_ins_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            "ix_goal_check_ins_goal_id_created_at_id",
            ["goal_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "key_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("start_value", sa.Float(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("current_value", sa.Float(), nullable=False),
        sa.Column("measure_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_key_results_goal_id_goals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_results")),
    )
    with op.batch_alter_table("key_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_results_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "goal_check_in_values",
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        sa.Column("key_result_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_in_id"],
            ["goal_check_ins.id"],
            name=op.f("fk_goal_check_in_values_check_in_id_goal_check_ins"),
        ),
        sa.ForeignKeyConstraint(
            ["key_result_id"],
            ["key_results.id"],
            name=op.f("fk_goal_check_in_values_key_result_id_key_results"),
        ),
        sa.PrimaryKeyConstraint(
            "check_in_id", "key_result_id", name=op.f("pk_goal_check_in_values")
        ),
    )
    with op.batch_alter_table("goal_check_in_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_goal_check_in_values_key_result_id"), ["key_result_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("goal_check_in_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_check_in_values_key_result_id"))

    op.drop_table("goal_check_in_values")
    with op.batch_alter_table("key_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_results_goal_id"))

    op.drop_table("key_results")
    with op.batch_alter_table("goal_check_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_goal_check_ins_goal_id_created_at_id")
        batch_op.drop_index(batch_op.f("ix_goal_check_ins_author_id"))

    op.drop_table("goal_check_ins")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_title_id")
        batch_op.drop_index("ix_goals_person_id_due_on_id")
        batch_op.drop_index("ix_goals_due_on_id")
        batch_op.drop_index("ix_goals_created_at_id")
        batch_op.drop_index("ix_goals_center_id_due_on_id")

    op.drop_table("goals")
