"""panels: a panel's invitations (moderator, panelists) and its co-design thread

Revision ID: panels_0005
Revises: panels_0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "panels_0005"
down_revision: str | Sequence[str] | None = "panels_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_MODERATOR = sa.text("role = 'MODERATOR' AND state = 'ACCEPTED'")


def upgrade() -> None:
    op.create_table(
        "panels_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "MODERATOR",
                "PANELIST",
                name="panels_panel_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "PENDING",
                "ACCEPTED",
                "DECLINED",
                name="panels_invitation_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["panels_proposals.id"],
            name=op.f("fk_panels_invitations_proposal_id_panels_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_panels_invitations_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["people.id"],
            name=op.f("fk_panels_invitations_invited_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels_invitations")),
    )
    op.create_index(
        "uq_panels_invitations_proposal_id_person_id",
        "panels_invitations",
        ["proposal_id", "person_id"],
        unique=True,
    )
    op.create_index("ix_panels_invitations_person_id", "panels_invitations", ["person_id"])
    op.create_index(
        "uq_panels_invitations_one_moderator",
        "panels_invitations",
        ["proposal_id"],
        unique=True,
        postgresql_where=ONE_MODERATOR,
        sqlite_where=ONE_MODERATOR,
    )
    with op.batch_alter_table("panels_proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("panels_proposals", schema=None) as batch_op:
        batch_op.drop_column("thread_id")
    op.drop_index("uq_panels_invitations_one_moderator", table_name="panels_invitations")
    op.drop_index("ix_panels_invitations_person_id", table_name="panels_invitations")
    op.drop_index("uq_panels_invitations_proposal_id_person_id", table_name="panels_invitations")
    op.drop_table("panels_invitations")
