"""batch analytics: production volumes and flagged batches (issue 16)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from services.warranty.adapters.tables import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _batch_columns() -> list[sa.Column]:
    return [
        sa.Column("factory", sa.String(2), primary_key=True),
        sa.Column("iso_year", sa.Integer, primary_key=True),
        sa.Column("iso_week", sa.Integer, primary_key=True),
        sa.Column("style", sa.String(8), primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "production_volumes",
        *_batch_columns(),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("uploaded_at", UtcDateTime, nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.CheckConstraint("units > 0", name="ck_volumes_units_positive"),
    )
    op.create_table(
        "batch_flags",
        *_batch_columns(),
        sa.Column("claims", sa.Integer, nullable=False),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("baseline", sa.Float, nullable=False),
        sa.Column("p_value", sa.Float, nullable=False),
        sa.Column("q_value", sa.Float, nullable=False),
        sa.Column("flagged_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("batch_flags")
    op.drop_table("production_volumes")
