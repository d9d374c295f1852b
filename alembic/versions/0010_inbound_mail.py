"""reply by email: inbound_mail (received replies: dedup, rate limit, audit) and the
MAIL_IN_REFUSAL kind of outgoing mail

Revision ID: 0010_inbound_mail
Revises: 0009_typed_events
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from icn_graph.db.types import UTCDateTime

revision: str = "0010_inbound_mail"
down_revision: str | Sequence[str] | None = "0009_typed_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ("IMMEDIATE", "DIGEST")
NEW_KINDS = (*OLD_KINDS, "MAIL_IN_REFUSAL")


def _kind(kinds: Sequence[str]) -> sa.Enum:
    return sa.Enum(*kinds, name="mail_kind", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "inbound_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.String(length=100), nullable=False),
        sa.Column("from_address", sa.String(length=254), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "POSTED",
                "IGNORED",
                "REFUSED",
                name="inbound_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("replied", sa.Boolean(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_inbound_mail_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mail")),
        sa.UniqueConstraint(
            "message_id", "recipient", name=op.f("uq_inbound_mail_message_id_recipient")
        ),
    )
    with op.batch_alter_table("inbound_mail", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_mail_person_id_received_at", ["person_id", "received_at"], unique=False
        )
    _change_kinds(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM outgoing_mail WHERE kind = 'MAIL_IN_REFUSAL'")
    _change_kinds(NEW_KINDS, OLD_KINDS)
    with op.batch_alter_table("inbound_mail", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_mail_person_id_received_at")
    op.drop_table("inbound_mail")


def _change_kinds(old: Sequence[str], new: Sequence[str]) -> None:
    """The CHECK constraint of outgoing_mail.kind, from ``old`` values to ``new``."""
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=_kind(old), type_=_kind(new))
