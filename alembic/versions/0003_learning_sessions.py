"""Learning Sessions, agenda items, assignments and registrations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "learning_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("season", _enum("season", "SPRING", "FALL"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            _enum(
                "learning_session_status",
                "PLANNING",
                "REGISTRATION_OPEN",
                "IN_PROGRESS",
                "COMPLETE",
            ),
            nullable=False,
        ),
        sa.Column("objectives", sa.JSON(), nullable=False),
        sa.Column("priorities", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_on >= starts_on",
            name=op.f("ck_learning_sessions_ends_on_not_before_starts_on"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_sessions")),
        sa.UniqueConstraint("season", "year", name=op.f("uq_learning_sessions_season_year")),
    )
    with op.batch_alter_table("learning_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_sessions_starts_on_id", ["starts_on", "id"], unique=False
        )
        batch_op.create_index("ix_learning_sessions_status", ["status"], unique=False)

    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            _enum(
                "agenda_item_kind", "PLENARY", "PANEL", "BREAKOUT", "WORKSHOP", "POSTER", "BREAK"
            ),
            nullable=False,
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("room", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_agenda_items_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_agenda_items_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agenda_items_session_id_starts_at_id",
            ["session_id", "starts_at", "id"],
            unique=False,
        )

    op.create_table(
        "agenda_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "part",
            _enum("agenda_part", "SPEAKER", "MODERATOR", "PANELIST", "FACILITATOR"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_agenda_assignments_agenda_item_id_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_agenda_assignments_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_assignments")),
        sa.UniqueConstraint(
            "agenda_item_id",
            "person_id",
            name=op.f("uq_agenda_assignments_agenda_item_id_person_id"),
        ),
    )
    with op.batch_alter_table("agenda_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_assignments_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "part", _enum("registration_part", "ATTENDEE", "SPEAKER", "STAFF"), nullable=False
        ),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_registrations_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_registrations_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
        sa.UniqueConstraint(
            "session_id", "person_id", name=op.f("uq_registrations_session_id_person_id")
        ),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registrations_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "ix_registrations_session_id_registered_at_id",
            ["session_id", "registered_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_registrations_session_id_registered_at_id")
        batch_op.drop_index(batch_op.f("ix_registrations_person_id"))
    op.drop_table("registrations")

    with op.batch_alter_table("agenda_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_assignments_person_id"))
    op.drop_table("agenda_assignments")

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index("ix_agenda_items_session_id_starts_at_id")
    op.drop_table("agenda_items")

    with op.batch_alter_table("learning_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_sessions_status")
        batch_op.drop_index("ix_learning_sessions_starts_on_id")
    op.drop_table("learning_sessions")
