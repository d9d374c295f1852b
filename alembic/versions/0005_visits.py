"""visits: registry data (one row per patient visit, pseudonymous patient key)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("patient_key", sa.String(length=64), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column(
            "pga",
            sa.Enum(
                "QUIESCENT",
                "MILD",
                "MODERATE",
                "SEVERE",
                name="visit_pga",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "diagnosis",
            sa.Enum(
                "CROHNS",
                "UC",
                "IBDU",
                name="visit_diagnosis",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("on_steroids", sa.Boolean(), nullable=True),
        sa.Column("pre_visit_planning", sa.Boolean(), nullable=True),
        sa.Column("growth_assessed", sa.Boolean(), nullable=True),
        sa.Column("nutrition_assessed", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["centers.id"],
            name=op.f("fk_visits_center_id_centers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint(
            "center_id",
            "patient_key",
            "visit_date",
            name=op.f("uq_visits_center_id_patient_key_visit_date"),
        ),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visits_center_id_visit_date", ["center_id", "visit_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_center_id_visit_date")
    op.drop_table("visits")
