"""label photos kept as claim evidence (issue 16)

Revision ID: 0004_evidence
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from services.warranty.adapters.tables import UtcDateTime

revision = "0004_evidence"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "label_photos",
        sa.Column("photo_id", sa.String(24), primary_key=True),
        sa.Column("blob_key", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(20), nullable=False),
        sa.Column("label_code", sa.String(32), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=True),
        sa.Column("uploaded_at", UtcDateTime, nullable=False),
        sa.Column("claim_id", sa.String(40), nullable=True),
        sa.UniqueConstraint("claim_id", name="uq_label_photos_claim_id"),
    )
    op.create_index("ix_label_photos_uploaded_at", "label_photos", ["uploaded_at"])
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("evidence_photo_id", sa.String(24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("evidence_photo_id")
    op.drop_index("ix_label_photos_uploaded_at", table_name="label_photos")
    op.drop_table("label_photos")
