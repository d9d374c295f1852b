"""mail roll-up: notifications.followed_subject_id (the followed subject mail threads on)

Revision ID: 0008_mail_followed_subject
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_mail_followed_subject"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("followed_subject_id", sa.String(length=100), nullable=True))
    # Notifications written before roll-up thread on their own subject, as they were mailed.
    op.execute("UPDATE notifications SET followed_subject_id = subject_id")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column(
            "followed_subject_id", existing_type=sa.String(length=100), nullable=False
        )
        batch_op.create_index(
            "ix_notifications_person_id_followed_subject_id",
            ["person_id", "followed_subject_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_person_id_followed_subject_id")
        batch_op.drop_column("followed_subject_id")
