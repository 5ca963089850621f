"""returns and sandbox_refunds: returns, refunds and exchanges (issue 17)

Revision ID: 0005_returns
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_returns"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "returns",
        sa.Column("return_id", sa.String(64), primary_key=True),
        sa.Column("return_number", sa.String(32), nullable=False, unique=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("customer_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("document", sa.JSON, nullable=False),
    )
    op.create_index("ix_returns_order_id", "returns", ["order_id"])
    op.create_index("ix_returns_customer_id", "returns", ["customer_id"])
    op.create_index("ix_returns_next_check_at", "returns", ["next_check_at"])
    op.create_table(
        "sandbox_refunds",
        sa.Column("idempotency_key", sa.String(200), primary_key=True),
        sa.Column("refund_id", sa.String(64), nullable=False, unique=True),
        sa.Column("authorization_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
    )
    op.create_index("ix_sandbox_refunds_authorization_id", "sandbox_refunds", ["authorization_id"])


def downgrade() -> None:
    op.drop_index("ix_sandbox_refunds_authorization_id", table_name="sandbox_refunds")
    op.drop_table("sandbox_refunds")
    op.drop_index("ix_returns_next_check_at", table_name="returns")
    op.drop_index("ix_returns_customer_id", table_name="returns")
    op.drop_index("ix_returns_order_id", table_name="returns")
    op.drop_table("returns")
