"""the audit log of identified reads is append-only

Revision ID: 0016_stewardship_audit_triggers
Revises: 0015_data_stewardship
Create Date: 2026-12-06 03:10:00.000000

Triggers refuse every UPDATE and DELETE of ``identified_reads`` and ``identified_read_centers``:
on PostgreSQL both; on SQLite UPDATE only, because emptying an embedded database (tests, a
fresh demo) deletes rows, and SQLite has no TRUNCATE to leave that way open. PostgreSQL's
TRUNCATE (an owner's maintenance, not something the application does) is not refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016_stewardship_audit_triggers"
down_revision: str | Sequence[str] | None = "0015_data_stewardship"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("identified_reads", "identified_read_centers")
FUNCTION = "refuse_audit_log_change"
MESSAGE = "the audit log of identified reads is append-only"


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END
            $$
            """
        )
        for name in TABLES:
            op.execute(
                f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {name} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )
        return
    for name in TABLES:
        op.execute(
            f"CREATE TRIGGER {name}_append_only BEFORE UPDATE ON {name} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE on {name} refused'); END"
        )


def downgrade() -> None:
    for name in TABLES:
        if op.get_context().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name}_append_only ON {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}_append_only")
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
