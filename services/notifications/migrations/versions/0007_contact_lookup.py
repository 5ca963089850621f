"""contacts: indexes for an agent's lookup by email (in lower case) or phone

A caller gives her email address or phone number, not her customer id: agents find her by either
(`GET /v1/customers`). The address is compared in lower case, so the index is on `lower(email)`
(an expression index: SQLite and PostgreSQL both have them).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contacts_email_lower", "contacts", [sa.text("lower(email)")])
    op.create_index("ix_contacts_phone", "contacts", ["phone"])


def downgrade() -> None:
    op.drop_index("ix_contacts_phone", table_name="contacts")
    op.drop_index("ix_contacts_email_lower", table_name="contacts")
