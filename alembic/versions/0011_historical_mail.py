"""historical mail: outgoing_mail.historical (mail a demo's history would have sent, written to
the mail folder and never sent over SMTP)

Revision ID: 0011_historical_mail
Revises: 0010_inbound_mail
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_historical_mail"
down_revision: str | Sequence[str] | None = "0010_inbound_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("historical", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_column("historical")
