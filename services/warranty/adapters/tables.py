"""The warranty service's tables (SQLAlchemy Core)."""

from __future__ import annotations

import sqlalchemy as sa

from shared.persistence.types import UtcDateTime

metadata = sa.MetaData()

claims = sa.Table(
    "claims",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("customer_id", sa.String(200), nullable=False, index=True),
    sa.Column("item_key", sa.String(120), nullable=False, index=True),
    # Set while the claim is open, NULL afterwards: the unique index allows one open claim per item.
    sa.Column("open_item_key", sa.String(120), nullable=True, unique=True),
    sa.Column("label_code", sa.String(32), nullable=True),
    sa.Column("order_line_id", sa.String(100), nullable=True),
    sa.Column("style_code", sa.String(8), nullable=True),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("manufacture_date", sa.Date, nullable=True),
    sa.Column("purchase_date", sa.Date, nullable=True),
    sa.Column("region", sa.String(2), nullable=False),
    sa.Column("components", sa.JSON, nullable=False),
    sa.Column("cause", sa.String(32), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("submitted_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("decision", sa.JSON, nullable=True),
    sa.Column("review_reasons", sa.JSON, nullable=False),
    sa.Column("rma_number", sa.String(32), nullable=True, unique=True),
    sa.Column("rma_issued_at", UtcDateTime, nullable=True),
    sa.Column("rma_expires_at", UtcDateTime, nullable=True),
    sa.Column("rma_reminder_due_at", UtcDateTime, nullable=True),
    sa.Column("rma_centre_region", sa.String(2), nullable=True),
    sa.Column("rma_reminder_sent_at", UtcDateTime, nullable=True),
    sa.Column("received_at", UtcDateTime, nullable=True),
    sa.Column("resolution", sa.JSON, nullable=True),
    sa.Column("carrier", sa.String(60), nullable=True),
    sa.Column("tracking_number", sa.String(60), nullable=True),
    sa.Column("shipped_at", UtcDateTime, nullable=True),
    sa.Column("sla_at_risk_at", UtcDateTime, nullable=True),
    sa.Column("sla_breached_at", UtcDateTime, nullable=True),
    # The durable schedule: when the timer sweeper must next look at this claim.
    sa.Column("next_timer_at", UtcDateTime, nullable=True, index=True),
    # The label photo kept as evidence (label_photos.photo_id), when the claim was opened from one.
    sa.Column("evidence_photo_id", sa.String(24), nullable=True),
)

claim_transitions = sa.Table(
    "claim_transitions",
    metadata,
    sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("actor_type", sa.String(20), nullable=False),
    sa.Column("actor_id", sa.String(200), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

repair_parts_stock = sa.Table(
    "repair_parts_stock",
    metadata,
    sa.Column("part", sa.String(40), primary_key=True),
    sa.Column("style", sa.String(8), primary_key=True),
    sa.Column("colour", sa.String(40), primary_key=True),
    sa.Column("region", sa.String(2), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.CheckConstraint("quantity >= 0", name="ck_parts_quantity_non_negative"),
)

parts_used = sa.Table(
    "parts_used",
    metadata,
    sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id"), primary_key=True),
    sa.Column("part", sa.String(40), primary_key=True),
    sa.Column("style", sa.String(8), nullable=False),
    sa.Column("colour", sa.String(40), nullable=False),
    sa.Column("region", sa.String(2), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("reserved_at", UtcDateTime, nullable=False),
)

# Batch analytics (issue 16): production volumes per batch, and the batches already flagged.
production_volumes = sa.Table(
    "production_volumes",
    metadata,
    sa.Column("factory", sa.String(2), primary_key=True),
    sa.Column("iso_year", sa.Integer, primary_key=True),
    sa.Column("iso_week", sa.Integer, primary_key=True),
    sa.Column("style", sa.String(8), primary_key=True),
    sa.Column("units", sa.Integer, nullable=False),
    sa.Column("uploaded_at", UtcDateTime, nullable=False),
    sa.Column("uploaded_by", sa.String(200), nullable=False),
    sa.CheckConstraint("units > 0", name="ck_volumes_units_positive"),
)

# One row per flagged batch: the primary key is what makes the announcement happen once.
batch_flags = sa.Table(
    "batch_flags",
    metadata,
    sa.Column("factory", sa.String(2), primary_key=True),
    sa.Column("iso_year", sa.Integer, primary_key=True),
    sa.Column("iso_week", sa.Integer, primary_key=True),
    sa.Column("style", sa.String(8), primary_key=True),
    sa.Column("claims", sa.Integer, nullable=False),
    sa.Column("units", sa.Integer, nullable=False),
    sa.Column("baseline", sa.Float, nullable=False),
    sa.Column("p_value", sa.Float, nullable=False),
    sa.Column("q_value", sa.Float, nullable=False),
    sa.Column("flagged_at", UtcDateTime, nullable=False),
)

# Label photos read (issue 16): kept, metadata-free, in the blob store under `blob_key`; a claim
# opened with the photo's id takes it as evidence (claim_id, once set, never changes).
label_photos = sa.Table(
    "label_photos",
    metadata,
    sa.Column("photo_id", sa.String(24), primary_key=True),
    sa.Column("blob_key", sa.String(64), nullable=False),
    sa.Column("content_type", sa.String(20), nullable=False),
    sa.Column("label_code", sa.String(32), nullable=False),
    sa.Column("uploaded_by", sa.String(200), nullable=True),
    sa.Column("uploaded_at", UtcDateTime, nullable=False, index=True),
    sa.Column("claim_id", sa.String(40), nullable=True, unique=True),
)
