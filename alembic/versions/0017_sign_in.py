"""sign in: token kinds (CLI, SESSION, PERSONAL), expiry, last use, read-only scope, the
device that signed in; single-use sign-in links

Revision ID: 0017_sign_in
Revises: 0016_stewardship_audit_triggers
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from icn_graph.db.types import UTCDateTime

revision: str = "0017_sign_in"
down_revision: str | Sequence[str] | None = "0016_stewardship_audit_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_sign_in_links_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_links_token_hash")),
    )
    with op.batch_alter_table("sign_in_links", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_links_person_id", ["person_id"], unique=False)

    # Existing tokens were all minted by the CLI: they become CLI tokens and keep working.
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "CLI",
                    "SESSION",
                    "PERSONAL",
                    name="token_kind",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="CLI",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("read_only", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("user_agent", sa.String(length=300), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_api_tokens_token_kind"), type_="check")
        batch_op.drop_column("user_agent")
        batch_op.drop_column("read_only")
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("kind")

    with op.batch_alter_table("sign_in_links", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_links_person_id")

    op.drop_table("sign_in_links")
