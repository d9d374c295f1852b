"""proposals, reviews and calls

Revision ID: panels_0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "panels_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "panels_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_panels_calls_dates_in_order")),
        sa.ForeignKeyConstraint(
            ["opened_by"],
            ["people.id"],
            name=op.f("fk_panels_calls_opened_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_panels_calls_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels_calls")),
        sa.UniqueConstraint("session_id", name=op.f("uq_panels_calls_session_id")),
    )
    op.create_table(
        "panels_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "PANEL",
                "BREAKOUT",
                "WORKSHOP",
                "PLENARY",
                "POSTER",
                name="panels_proposal_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("intended_audience", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "SUBMITTED",
                "ACCEPTED",
                "ACCEPTED_WITH_COACHING",
                "DECLINED",
                name="panels_proposal_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["people.id"],
            name=op.f("fk_panels_proposals_decided_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposer_id"],
            ["people.id"],
            name=op.f("fk_panels_proposals_proposer_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_panels_proposals_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels_proposals")),
    )
    with op.batch_alter_table("panels_proposals", schema=None) as batch_op:
        batch_op.create_index("ix_panels_proposals_proposer_id", ["proposer_id"], unique=False)
        batch_op.create_index(
            "ix_panels_proposals_session_id_id", ["session_id", "id"], unique=False
        )

    op.create_table(
        "panels_reviewers",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["people.id"],
            name=op.f("fk_panels_reviewers_granted_by_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_panels_reviewers_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_panels_reviewers_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "person_id", name=op.f("pk_panels_reviewers")),
    )
    with op.batch_alter_table("panels_reviewers", schema=None) as batch_op:
        batch_op.create_index("ix_panels_reviewers_person_id", ["person_id"], unique=False)

    op.create_table(
        "panels_presenters",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "consent",
            sa.Enum(
                "PENDING",
                "CONFIRMED",
                "DECLINED",
                name="panels_presenter_consent",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_panels_presenters_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["panels_proposals.id"],
            name=op.f("fk_panels_presenters_proposal_id_panels_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "person_id", name=op.f("pk_panels_presenters")),
    )
    with op.batch_alter_table("panels_presenters", schema=None) as batch_op:
        batch_op.create_index("ix_panels_presenters_person_id", ["person_id"], unique=False)

    op.create_table(
        "panels_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_panels_reviews_score_range")),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["panels_proposals.id"],
            name=op.f("fk_panels_reviews_proposal_id_panels_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["people.id"],
            name=op.f("fk_panels_reviews_reviewer_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels_reviews")),
    )
    with op.batch_alter_table("panels_reviews", schema=None) as batch_op:
        batch_op.create_index(
            "uq_panels_reviews_proposal_id_reviewer_id", ["proposal_id", "reviewer_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("panels_reviews", schema=None) as batch_op:
        batch_op.drop_index("uq_panels_reviews_proposal_id_reviewer_id")

    op.drop_table("panels_reviews")
    with op.batch_alter_table("panels_presenters", schema=None) as batch_op:
        batch_op.drop_index("ix_panels_presenters_person_id")

    op.drop_table("panels_presenters")
    with op.batch_alter_table("panels_reviewers", schema=None) as batch_op:
        batch_op.drop_index("ix_panels_reviewers_person_id")

    op.drop_table("panels_reviewers")
    with op.batch_alter_table("panels_proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_panels_proposals_session_id_id")
        batch_op.drop_index("ix_panels_proposals_proposer_id")

    op.drop_table("panels_proposals")
    op.drop_table("panels_calls")
