"""The orders service's tables (SQLAlchemy Core; outbox/inbox come from shared.persistence).

Amounts are stored inside JSON documents as decimal strings (SQLite has no exact decimal type);
the columns that are queried or constrained are real columns.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()


quotes = sa.Table(
    "quotes",
    metadata,
    sa.Column("quote_id", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(200), nullable=True),
    sa.Column("agent_id", sa.String(200), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("order_id", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(200), nullable=False, index=True),
    sa.Column("agent_id", sa.String(200), nullable=True),
    sa.Column("quote_id", sa.String(64), nullable=False, unique=True),  # one order per quote
    # Not indexed: nothing reads orders by status, and each saga step changes it (0006).
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("payment_token", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # optimistic concurrency
    # True while the saga runner has work on it (what a restarted runner resumes). Not indexed:
    # an open saga always has a next check, and that index finds them (0006).
    sa.Column("open_saga", sa.Boolean, nullable=False),
    # When the saga sweep looks at this order next (NULL once the saga is closed): the sweep
    # reads only due orders, so parcels in transit cost nothing between their tracking polls.
    sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("quote", sa.JSON, nullable=False),
    sa.Column("state", sa.JSON, nullable=False),
)

stock = sa.Table(
    "stock",
    metadata,
    sa.Column("warehouse", sa.String(32), primary_key=True),
    sa.Column("style", sa.String(16), primary_key=True),
    sa.Column("on_hand", sa.Integer, nullable=False),
    sa.Column("reserved", sa.Integer, nullable=False, server_default="0"),
    # The database itself refuses an oversell, whatever the code above it does.
    sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_stock_reserved_range"),
)

reservations = sa.Table(
    "reservations",
    metadata,
    sa.Column("reservation_id", sa.String(64), primary_key=True),
    sa.Column("owner_id", sa.String(64), nullable=False),
    sa.Column("purpose", sa.String(32), nullable=False),
    sa.Column("warehouse", sa.String(32), nullable=False),
    sa.Column("style", sa.String(16), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # A retried reservation for the same order finds the first one instead of taking more.
    sa.UniqueConstraint("owner_id", "purpose", name="uq_reservations_owner"),
)

waitlist = sa.Table(
    "waitlist",
    metadata,
    sa.Column("entry_id", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(200), nullable=False),
    sa.Column("style", sa.String(16), nullable=False),
    sa.Column("region", sa.String(8), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("customer_id", "style", "region", name="uq_waitlist_customer_style"),
)

# Operator listing changes on top of the packaged listings.json (region price overrides).
listing_overrides = sa.Table(
    "listing_overrides",
    metadata,
    sa.Column("style", sa.String(16), primary_key=True),
    sa.Column("region", sa.String(8), primary_key=True),
    sa.Column("price", sa.String(32), nullable=True),  # NULL: delisted
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Sandbox payment ledger, persisted so a crashed service still knows what it authorized.
sandbox_payments = sa.Table(
    "sandbox_payments",
    metadata,
    sa.Column("idempotency_key", sa.String(200), primary_key=True),
    sa.Column("authorization_id", sa.String(64), nullable=False, unique=True),
    sa.Column("token", sa.String(64), nullable=False),
    sa.Column("amount", sa.String(32), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
)

sandbox_shipments = sa.Table(
    "sandbox_shipments",
    metadata,
    sa.Column("shipment_id", sa.String(64), primary_key=True),
    sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
    sa.Column("tracking_number", sa.String(64), nullable=False),
    sa.Column("carrier", sa.String(64), nullable=False),
    sa.Column("request", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
)

# Returns and exchanges (issue 17): the return as one JSON document, the columns that are queried
# or constrained as real columns. One return per (customer, request id): a retried request finds
# the return it created.
returns = sa.Table(
    "returns",
    metadata,
    sa.Column("return_id", sa.String(64), primary_key=True),
    sa.Column("return_number", sa.String(32), nullable=False, unique=True),
    sa.Column("order_id", sa.String(64), nullable=False, index=True),
    sa.Column("customer_id", sa.String(200), nullable=False, index=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # optimistic concurrency
    # When the return worker looks at it next (its parcel's tracking, a refund owed, an
    # exchange deadline); NULL once nothing is left to do.
    sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("document", sa.JSON, nullable=False),
)

# Sandbox partial refunds (returns), persisted like the payment ledger.
sandbox_refunds = sa.Table(
    "sandbox_refunds",
    metadata,
    sa.Column("idempotency_key", sa.String(200), primary_key=True),
    sa.Column("refund_id", sa.String(64), nullable=False, unique=True),
    sa.Column("authorization_id", sa.String(64), nullable=False, index=True),
    sa.Column("amount", sa.String(32), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
)
