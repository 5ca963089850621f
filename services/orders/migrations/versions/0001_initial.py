"""orders: quotes, orders, stock, reservations, waitlist, listing overrides, sandbox ledger

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from shared.persistence.messaging_tables import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op)
    op.create_table(
        "quotes",
        sa.Column("quote_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(200), nullable=True),
        sa.Column("agent_id", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
    )
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(200), nullable=False),
        sa.Column("agent_id", sa.String(200), nullable=True),
        sa.Column("quote_id", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("payment_token", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("open_saga", sa.Boolean, nullable=False),
        sa.Column("quote", sa.JSON, nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
    )
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_index("ix_orders_open_saga", "orders", ["open_saga"])
    op.create_table(
        "stock",
        sa.Column("warehouse", sa.String(32), primary_key=True),
        sa.Column("style", sa.String(16), primary_key=True),
        sa.Column("on_hand", sa.Integer, nullable=False),
        sa.Column("reserved", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_stock_reserved_range"),
    )
    op.create_table(
        "reservations",
        sa.Column("reservation_id", sa.String(64), primary_key=True),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("warehouse", sa.String(32), nullable=False),
        sa.Column("style", sa.String(16), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("owner_id", "purpose", name="uq_reservations_owner"),
    )
    op.create_table(
        "waitlist",
        sa.Column("entry_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(200), nullable=False),
        sa.Column("style", sa.String(16), nullable=False),
        sa.Column("region", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("customer_id", "style", "region", name="uq_waitlist_customer_style"),
    )
    op.create_table(
        "listing_overrides",
        sa.Column("style", sa.String(16), primary_key=True),
        sa.Column("region", sa.String(8), primary_key=True),
        sa.Column("price", sa.String(32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sandbox_payments",
        sa.Column("idempotency_key", sa.String(200), primary_key=True),
        sa.Column("authorization_id", sa.String(64), nullable=False, unique=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("amount", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
    )
    op.create_table(
        "sandbox_shipments",
        sa.Column("shipment_id", sa.String(64), primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("carrier", sa.String(64), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("sandbox_shipments")
    for table in ("sandbox_payments", "listing_overrides", "waitlist", "reservations", "stock"):
        op.drop_table(table)
    op.drop_index("ix_orders_open_saga", table_name="orders")
    op.drop_index("ix_orders_status", table_name="orders")
    op.drop_index("ix_orders_customer_id", table_name="orders")
    op.drop_table("orders")
    op.drop_table("quotes")
    drop_messaging_tables(op)
