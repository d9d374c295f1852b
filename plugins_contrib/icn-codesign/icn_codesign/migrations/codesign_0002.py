"""drafts, revisions, agreements and decisions

Revision ID: codesign_0002
Revises: codesign_0001
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "codesign_0002"
down_revision: str | Sequence[str] | None = "codesign_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "codesign_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "DRAFT",
                "FINAL",
                name="codesign_draft_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("final_number", sa.Integer(), nullable=True),
        sa.Column("finalised_by", sa.Integer(), nullable=True),
        sa.Column("finalised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finalised_by"],
            ["people.id"],
            name=op.f("fk_codesign_drafts_finalised_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["people.id"],
            name=op.f("fk_codesign_drafts_owner_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["codesign_threads.id"],
            name=op.f("fk_codesign_drafts_thread_id_codesign_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codesign_drafts")),
        sa.UniqueConstraint("thread_id", "name_key", name="uq_codesign_drafts_thread_id_name_key"),
    )
    op.create_table(
        "codesign_draft_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_codesign_draft_revisions_author_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["codesign_drafts.id"],
            name=op.f("fk_codesign_draft_revisions_draft_id_codesign_drafts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codesign_draft_revisions")),
        sa.UniqueConstraint(
            "draft_id", "number", name="uq_codesign_draft_revisions_draft_id_number"
        ),
    )
    op.create_table(
        "codesign_agreements",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_codesign_agreements_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["codesign_draft_revisions.id"],
            name=op.f("fk_codesign_agreements_revision_id_codesign_draft_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("revision_id", "person_id", name=op.f("pk_codesign_agreements")),
    )
    op.create_table(
        "codesign_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_html", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["people.id"],
            name=op.f("fk_codesign_decisions_decided_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["codesign_draft_revisions.id"],
            name=op.f("fk_codesign_decisions_revision_id_codesign_draft_revisions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["codesign_threads.id"],
            name=op.f("fk_codesign_decisions_thread_id_codesign_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codesign_decisions")),
    )
    with op.batch_alter_table("codesign_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_codesign_decisions_thread_id_decided_at_id",
            ["thread_id", "decided_at", "id"],
            unique=False,
        )

    op.create_table(
        "codesign_decision_messages",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["codesign_decisions.id"],
            name=op.f("fk_codesign_decision_messages_decision_id_codesign_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["codesign_messages.id"],
            name=op.f("fk_codesign_decision_messages_message_id_codesign_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "decision_id", "message_id", name=op.f("pk_codesign_decision_messages")
        ),
    )


def downgrade() -> None:
    op.drop_table("codesign_decision_messages")
    with op.batch_alter_table("codesign_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_codesign_decisions_thread_id_decided_at_id")

    op.drop_table("codesign_decisions")
    op.drop_table("codesign_agreements")
    op.drop_table("codesign_draft_revisions")
    op.drop_table("codesign_drafts")
