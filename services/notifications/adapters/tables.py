"""The notifications service's own tables (SQLAlchemy Core), beside the shared outbox/inbox."""

from __future__ import annotations

import sqlalchemy as sa

from shared.persistence.types import UtcDateTime

metadata = sa.MetaData()
TZ = UtcDateTime()

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("customer_id", sa.String(200), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("email", sa.String(320)),
    sa.Column("email_key", sa.String(320)),  # domain.preferences.email_key(email): searched
    sa.Column("phone", sa.String(32)),
    sa.Column("push_tokens", sa.JSON, nullable=False),
    sa.Column("locale", sa.String(16), nullable=False),
    sa.Column("time_zone", sa.String(64)),
    sa.Column("updated_at", TZ, nullable=False),
)
# An agent finds a customer by the email or phone she gives on a call (migrations 0007, 0008).
sa.Index("ix_contacts_email_key", contacts.c.email_key)
sa.Index("ix_contacts_phone", contacts.c.phone)

preferences = sa.Table(
    "preferences",
    metadata,
    sa.Column("customer_id", sa.String(200), primary_key=True),
    sa.Column("opt_ins", sa.JSON, nullable=False),
    sa.Column("kind_overrides", sa.JSON, nullable=False),
    sa.Column("quiet_start", sa.String(5)),
    sa.Column("quiet_end", sa.String(5)),
    sa.Column("updated_at", TZ, nullable=False),
)

# One row per (event, kind, channel, recipient): the unique key makes planning idempotent.
deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # DeliveryKey.digest
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("event_type", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("recipient", sa.String(255), nullable=False),
    sa.Column("customer_id", sa.String(200), nullable=False),
    sa.Column("address", sa.String(320), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("text_body", sa.Text, nullable=False),
    sa.Column("html_body", sa.Text, nullable=False),
    sa.Column("short_text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending|sending|sent|delivered|failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("send_at", TZ, nullable=False),
    # When the fact happened (producer's clock, + 1 µs per extra message of the same event):
    # due messages go out in this order even when events were applied out of order.
    sa.Column("event_time", TZ),
    sa.Column("next_attempt_at", TZ),
    sa.Column("lease_until", TZ),
    sa.Column("last_error", sa.Text),
    sa.Column("provider_message_id", sa.String(255)),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("sent_at", TZ),
    # The request that caused the event: bound on the worker's log lines and its events.
    sa.Column("correlation_id", sa.String(64)),
    sa.UniqueConstraint("event_id", "kind", "channel", "recipient", name="uq_delivery_key"),
)
sa.Index("ix_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)
sa.Index("ix_deliveries_customer", deliveries.c.customer_id, deliveries.c.created_at)

inbox_items = sa.Table(
    "inbox_items",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # the in-app delivery id
    sa.Column("customer_id", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("claim_id", sa.String(64)),
    sa.Column("order_id", sa.String(64)),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("read_at", TZ),
)
sa.Index("ix_inbox_customer", inbox_items.c.customer_id, inbox_items.c.created_at)

# What the thank-you note and card need, gathered from the claim's events in any order.
thank_you_cards = sa.Table(
    "thank_you_cards",
    metadata,
    sa.Column("claim_id", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(200), nullable=False),
    sa.Column("item_name", sa.String(255), nullable=False),
    sa.Column("resolution", sa.String(16), nullable=False),
    sa.Column("parts", sa.JSON, nullable=False),
    sa.Column("replacement_name", sa.String(255)),
    sa.Column("repair_summary", sa.Text),
    sa.Column("created_at", TZ, nullable=False),
    # The repair/replacement_started event applied (its facts are in); null until then.
    sa.Column("started_event_id", sa.String(64)),
    # The shipped_back event whose thank-you note waits for those facts; null when none waits.
    sa.Column("closing_event", sa.JSON(none_as_null=True)),
)

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("event_types", sa.JSON, nullable=False),
    sa.Column("description", sa.String(500), nullable=False, server_default=""),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("disabled_at", TZ),
    sa.Column("disabled_reason", sa.String(100)),
    sa.Column("deleted_at", TZ),
)

webhook_secrets = sa.Table(
    "webhook_secrets",
    metadata,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True, autoincrement=True),
    sa.Column("endpoint_id", sa.String(64), nullable=False, index=True),
    # Sealed with NOTIFICATIONS_WEBHOOK_SECRET_KEYS (adapters/secret_box.py): HMAC signing needs
    # the secret itself, so it cannot be hashed like an API key.
    sa.Column("secret", sa.String(200), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("expires_at", TZ),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("endpoint_id", sa.String(64), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("event_type", sa.String(255), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # the exact JSON body that is signed
    sa.Column("occurred_at", TZ, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending|delivered|dead_letter|cancelled
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", TZ),
    sa.Column("lease_until", TZ),
    sa.Column("last_status_code", sa.Integer),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("delivered_at", TZ),
    # The request that caused the event: bound on the worker's log lines and its events.
    sa.Column("correlation_id", sa.String(64)),
    sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_delivery"),
)
sa.Index("ix_webhook_due", webhook_deliveries.c.status, webhook_deliveries.c.next_attempt_at)

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True, autoincrement=True),
    sa.Column("delivery_id", sa.String(64), nullable=False, index=True),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("at", TZ, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("duration_ms", sa.Integer, nullable=False, server_default="0"),
)
