"""processed_requests: keyed state-changing requests and their first reply (issue 18)

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from shared.persistence.messaging_tables import (
    create_processed_requests_table,
    drop_processed_requests_table,
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_processed_requests_table(op)


def downgrade() -> None:
    drop_processed_requests_table(op)
