"""made by session: which session made a personal access token or a calendar feed, so that
revoking the session revokes them

Revision ID: 0020_made_by_session
Revises: 0019_calendar_feeds
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_made_by_session"
down_revision: str | Sequence[str] | None = "0019_calendar_feeds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("api_tokens", "calendar_feeds")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("made_by_session_id", sa.Integer(), nullable=True))
            batch_op.create_index(
                batch_op.f(f"ix_{table}_made_by_session_id"), ["made_by_session_id"], unique=False
            )
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_made_by_session_id_api_tokens"),
                "api_tokens",
                ["made_by_session_id"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_made_by_session_id_api_tokens"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_made_by_session_id"))
            batch_op.drop_column("made_by_session_id")
