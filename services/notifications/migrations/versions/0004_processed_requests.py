"""processed_requests: keyed state-changing requests and their first reply (issue 18)

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from shared.persistence.messaging_tables import (
    create_processed_requests_table,
    drop_processed_requests_table,
)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_processed_requests_table(op)


def downgrade() -> None:
    drop_processed_requests_table(op)
