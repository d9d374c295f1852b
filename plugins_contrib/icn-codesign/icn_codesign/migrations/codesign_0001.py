"""co-design threads, participants, messages, message edits and mentions

Revision ID: codesign_0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "codesign_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "codesign_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "PARTICIPANTS",
                "CENTER",
                "NETWORK",
                name="codesign_audience",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("center_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "audience <> 'CENTER' OR center_id IS NOT NULL",
            name=op.f("ck_codesign_threads_center_audience"),
        ),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["centers.id"],
            name=op.f("fk_codesign_threads_center_id_centers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["people.id"],
            name=op.f("fk_codesign_threads_created_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codesign_threads")),
    )
    with op.batch_alter_table("codesign_threads", schema=None) as batch_op:
        batch_op.create_index("ix_codesign_threads_center_id", ["center_id"], unique=False)
        batch_op.create_index(
            "ix_codesign_threads_last_activity_at_id", ["last_activity_at", "id"], unique=False
        )
        batch_op.create_index("ix_codesign_threads_subject_id", ["subject_id"], unique=False)

    op.create_table(
        "codesign_participants",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["people.id"],
            name=op.f("fk_codesign_participants_invited_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_codesign_participants_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["codesign_threads.id"],
            name=op.f("fk_codesign_participants_thread_id_codesign_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("thread_id", "person_id", name=op.f("pk_codesign_participants")),
    )
    with op.batch_alter_table("codesign_participants", schema=None) as batch_op:
        batch_op.create_index("ix_codesign_participants_person_id", ["person_id"], unique=False)

    op.create_table(
        "codesign_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_by", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_codesign_messages_author_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by"],
            ["people.id"],
            name=op.f("fk_codesign_messages_hidden_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["codesign_threads.id"],
            name=op.f("fk_codesign_messages_thread_id_codesign_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codesign_messages")),
    )
    with op.batch_alter_table("codesign_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_codesign_messages_thread_id_created_at_id",
            ["thread_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "codesign_message_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("edited_by", sa.Integer(), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["edited_by"],
            ["people.id"],
            name=op.f("fk_codesign_message_edits_edited_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["codesign_messages.id"],
            name=op.f("fk_codesign_message_edits_message_id_codesign_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codesign_message_edits")),
    )
    with op.batch_alter_table("codesign_message_edits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_codesign_message_edits_message_id_id", ["message_id", "id"], unique=False
        )

    op.create_table(
        "codesign_mentions",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["codesign_messages.id"],
            name=op.f("fk_codesign_mentions_message_id_codesign_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_codesign_mentions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "person_id", name=op.f("pk_codesign_mentions")),
    )
    with op.batch_alter_table("codesign_mentions", schema=None) as batch_op:
        batch_op.create_index("ix_codesign_mentions_person_id", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_table("codesign_mentions")
    op.drop_table("codesign_message_edits")
    op.drop_table("codesign_messages")
    op.drop_table("codesign_participants")
    op.drop_table("codesign_threads")
