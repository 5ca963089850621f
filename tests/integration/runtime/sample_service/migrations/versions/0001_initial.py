"""initial

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
        "credits", sa.Column("id", sa.String(64), primary_key=True), sa.Column("amount", sa.Integer)
    )
    op.create_table(
        "tally",
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("total", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("tally")
    op.drop_table("credits")
    drop_messaging_tables(op)
