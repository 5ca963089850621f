"""The outbox and inbox tables every service database has.

The tables live in their own `MetaData` (Core tables only generate SQL, so a service's session
writes them in the same transaction as its own rows). A service's first Alembic migration
creates them with `create_messaging_tables(op)`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

OUTBOX = "outbox"
INBOX = "inbox"
PROCESSED_REQUESTS = "processed_requests"


def _outbox_columns() -> list[Any]:
    return [
        # Monotonic sequence: the relay publishes in commit order per process.
        sa.Column("seq", sa.Integer, sa.Identity(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    ]


def _inbox_columns() -> list[Any]:
    return [
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _processed_request_columns() -> list[Any]:
    # A state-changing RPC that carried a request key (the gateway's Idempotency-Key, scoped by
    # caller): the row is written in the same transaction as the effect, the reply just after.
    return [
        sa.Column("request_key", sa.String(128), primary_key=True),
        sa.Column("operation", sa.String(100), primary_key=True),
        sa.Column("reply", sa.LargeBinary, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _request_fingerprint_column() -> Any:
    # Added later (a migration of its own in each service, so the columns above stay as the
    # migration that created the table made them): the fingerprint of the HTTP request behind
    # the key (method, path, query, canonical body), when the service keeps the key for the
    # gateway. A repeat with another fingerprint is `idempotency_key_reused`.
    return sa.Column("fingerprint", sa.String(64), nullable=True)


# Only pending rows are indexed, so the relay's scan stays cheap however many rows are kept.
_PENDING_WHERE = "published_at IS NULL"


messaging_metadata = sa.MetaData()
outbox_table = sa.Table(OUTBOX, messaging_metadata, *_outbox_columns())
sa.Index(
    "ix_outbox_pending",
    outbox_table.c.seq,
    sqlite_where=sa.text(_PENDING_WHERE),
    postgresql_where=sa.text(_PENDING_WHERE),
)
inbox_table = sa.Table(INBOX, messaging_metadata, *_inbox_columns())
processed_requests_table = sa.Table(
    PROCESSED_REQUESTS,
    messaging_metadata,
    *_processed_request_columns(),
    _request_fingerprint_column(),
)
sa.Index("ix_processed_requests_created_at", processed_requests_table.c.created_at)


def create_messaging_tables(op: Any) -> None:
    """For a service's first Alembic migration."""
    op.create_table(OUTBOX, *_outbox_columns())
    op.create_index(
        "ix_outbox_pending",
        OUTBOX,
        ["seq"],
        sqlite_where=sa.text(_PENDING_WHERE),
        postgresql_where=sa.text(_PENDING_WHERE),
    )
    op.create_table(INBOX, *_inbox_columns())


def drop_messaging_tables(op: Any) -> None:
    op.drop_table(INBOX)
    op.drop_index("ix_outbox_pending", table_name=OUTBOX)
    op.drop_table(OUTBOX)


def create_processed_requests_table(op: Any) -> None:
    """For the migration that adds replayable requests to a service created before them."""
    op.create_table(PROCESSED_REQUESTS, *_processed_request_columns())
    op.create_index("ix_processed_requests_created_at", PROCESSED_REQUESTS, ["created_at"])


def drop_processed_requests_table(op: Any) -> None:
    op.drop_index("ix_processed_requests_created_at", table_name=PROCESSED_REQUESTS)
    op.drop_table(PROCESSED_REQUESTS)


def add_request_fingerprint_column(op: Any) -> None:
    """For the migration that lets a service keep an Idempotency-Key for the gateway."""
    with op.batch_alter_table(PROCESSED_REQUESTS) as batch:
        batch.add_column(_request_fingerprint_column())


def drop_request_fingerprint_column(op: Any) -> None:
    with op.batch_alter_table(PROCESSED_REQUESTS) as batch:
        batch.drop_column("fingerprint")
