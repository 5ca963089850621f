"""thank_you_cards: the thank-you note waits for its facts, whichever event is applied first

`started_event_id`: the repair_started / replacement_started event whose facts the note needs
(null until it is applied). `closing_event`: the shipped_back event whose thank-you note is
waiting for those facts (null when none is waiting).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thank_you_cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_event_id", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("closing_event", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("thank_you_cards", schema=None) as batch_op:
        batch_op.drop_column("closing_event")
        batch_op.drop_column("started_event_id")
