"""orders: drop the status and open_saga indexes, which every saga step's save rewrote

No query reads orders by status. The open sagas (read once, at start-up) are the orders with a
next check (`next_check_at` is set exactly while the saga is open: every insert, save and
deferral keeps it so, and 0003 set it for the orders open then), so that read takes a range
of `ix_orders_next_check_at` instead of `ix_orders_open_saga`. A save names both columns in its
SET clause, so SQLite rewrote an entry of each index on every step (about 10 of the 63 WAL
pages an order's life wrote to the orders database, docs/benchmarks.md).

Revision ID: 0006
Revises: 0005_returns
"""

from alembic import op

revision = "0006"
down_revision = "0005_returns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_orders_status", table_name="orders")
    op.drop_index("ix_orders_open_saga", table_name="orders")


def downgrade() -> None:
    op.create_index("ix_orders_open_saga", "orders", ["open_saga"])
    op.create_index("ix_orders_status", "orders", ["status"])
