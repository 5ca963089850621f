"""processed_requests.fingerprint: the HTTP request behind a key the service keeps for the gateway

A route whose whole effect is one keyed command leaves its Idempotency-Key to the service
(services/gateway/idempotency.py, `KEPT_BY_SERVICE`): the row that records the effect also
records the request's fingerprint, so a repeat with another body is refused as
`idempotency_key_reused` and a repeat with the same one gets the first reply. Null for rows
written before, and for keys the gateway keeps itself.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from shared.persistence.messaging_tables import (
    add_request_fingerprint_column,
    drop_request_fingerprint_column,
)

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_request_fingerprint_column(op)


def downgrade() -> None:
    drop_request_fingerprint_column(op)
