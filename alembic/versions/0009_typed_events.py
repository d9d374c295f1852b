"""typed events: the subject as (type, primary key) and the payload's version

Existing rows keep their payloads as version 1 (the untyped dicts of before); their subject type
and primary key are read from the global ID they stored (base64 of "Type:pk").

Revision ID: 0009_typed_events
Revises: 0008_mail_followed_subject
Create Date: 2026-12-05
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_typed_events"
down_revision: str | Sequence[str] | None = "0008_mail_followed_subject"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _split(global_id: str) -> tuple[str, int]:
    """("Goal", 12) from the global ID of Goal 12; ("Unknown", 0) for anything else."""
    try:
        decoded = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, pk = decoded.partition(":")
        return (type_name, int(pk)) if type_name.isidentifier() else ("Unknown", 0)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ("Unknown", 0)


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_type", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("subject_pk", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )

    events = sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("subject_id", sa.String),
        sa.column("subject_type", sa.String),
        sa.column("subject_pk", sa.Integer),
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(events.c.id, events.c.subject_id)
            .where(events.c.id > last)
            .order_by(events.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        values = []
        for row_id, subject_id in rows:
            type_name, pk = _split(subject_id)
            values.append({"row_id": row_id, "type_name": type_name, "pk": pk})
        connection.execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(subject_type=sa.bindparam("type_name"), subject_pk=sa.bindparam("pk")),
            values,
        )
        last = rows[-1][0]

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.alter_column("subject_type", existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column("subject_pk", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(
            "ix_events_subject", ["subject_type", "subject_pk", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_subject")
        batch_op.drop_column("version")
        batch_op.drop_column("subject_pk")
        batch_op.drop_column("subject_type")
