"""warranty: claims, transitions, repair parts stock (seeded), parts used

Revision ID: 0001
"""

import json
from importlib import resources

import sqlalchemy as sa
from alembic import op

from services.warranty.adapters.tables import UtcDateTime
from shared.persistence.messaging_tables import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "claims",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("customer_id", sa.String(200), nullable=False),
        sa.Column("item_key", sa.String(120), nullable=False),
        sa.Column("open_item_key", sa.String(120), nullable=True),
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
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("submitted_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("decision", sa.JSON, nullable=True),
        sa.Column("review_reasons", sa.JSON, nullable=False),
        sa.Column("rma_number", sa.String(32), nullable=True),
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
        sa.Column("next_timer_at", UtcDateTime, nullable=True),
        sa.UniqueConstraint("open_item_key", name="uq_claims_open_item_key"),
        sa.UniqueConstraint("rma_number", name="uq_claims_rma_number"),
    )
    op.create_index("ix_claims_customer_id", "claims", ["customer_id"])
    op.create_index("ix_claims_item_key", "claims", ["item_key"])
    op.create_index("ix_claims_status", "claims", ["status"])
    op.create_index("ix_claims_next_timer_at", "claims", ["next_timer_at"])
    op.create_table(
        "claim_transitions",
        sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("actor_type", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.String(200), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    stock = op.create_table(
        "repair_parts_stock",
        sa.Column("part", sa.String(40), primary_key=True),
        sa.Column("style", sa.String(8), primary_key=True),
        sa.Column("colour", sa.String(40), primary_key=True),
        sa.Column("region", sa.String(2), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.CheckConstraint("quantity >= 0", name="ck_parts_quantity_non_negative"),
    )
    op.create_table(
        "parts_used",
        sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id"), primary_key=True),
        sa.Column("part", sa.String(40), primary_key=True),
        sa.Column("style", sa.String(8), nullable=False),
        sa.Column("colour", sa.String(40), nullable=False),
        sa.Column("region", sa.String(2), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("reserved_at", UtcDateTime, nullable=False),
    )
    # Opening stock of repair parts, from the service's reference data.
    doc = json.loads(
        resources.files("services.warranty.data").joinpath("repair_parts.json").read_text("utf-8")
    )
    rows = [
        {"part": s["part"], "style": s["style"], "colour": s["colour"], "region": r, "quantity": n}
        for s in doc["stock"]
        for r, n in s["stock"].items()
    ]
    op.bulk_insert(stock, rows)


def downgrade() -> None:
    op.drop_table("parts_used")
    op.drop_table("repair_parts_stock")
    op.drop_table("claim_transitions")
    op.drop_index("ix_claims_next_timer_at", table_name="claims")
    op.drop_index("ix_claims_status", table_name="claims")
    op.drop_index("ix_claims_item_key", table_name="claims")
    op.drop_index("ix_claims_customer_id", table_name="claims")
    op.drop_table("claims")
    drop_messaging_tables(op)
