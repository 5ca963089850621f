"""orders.next_check_at: when the saga sweep should look at an open order next

The sweep reads only the orders that are due (`next_check_at <= now`, indexed) instead of every
open saga. Closed sagas hold NULL; open ones are due at once (their last update) until the
scheduler defers a tracking poll.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_orders_next_check_at", "orders", ["next_check_at"])
    # Orders open before this revision are due now: the first sweep looks at each once.
    op.execute("UPDATE orders SET next_check_at = updated_at WHERE open_saga")


def downgrade() -> None:
    op.drop_index("ix_orders_next_check_at", table_name="orders")
    op.drop_column("orders", "next_check_at")
