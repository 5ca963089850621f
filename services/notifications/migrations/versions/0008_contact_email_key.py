"""contacts: the email as searched (case-folded in Python) in its own indexed column

Migration 0007 searched `lower(email)`. SQLite's lower() folds ASCII letters only, so an address
stored as "JOSÉ@example.es" was not found as "josé@example.es". The key is now computed once,
in Python (`domain.preferences.email_key`, str.casefold), stored beside the address, and
indexed. Existing rows are filled here, in batches.

On PostgreSQL the index is built with a plain CREATE INDEX, inside the one transaction that
holds the migration lock (shared/persistence/migrations.py): CONCURRENTLY cannot run in a
transaction. Writes to `contacts` wait for the build, one row per customer: seconds, not
minutes, for a brand's customer base.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 1000
contacts = sa.table(
    "contacts",
    sa.column("customer_id", sa.String),
    sa.column("email", sa.String),
    sa.column("email_key", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("email_key", sa.String(320)))
    _fill_keys(op.get_bind())
    op.create_index("ix_contacts_email_key", "contacts", ["email_key"])
    op.drop_index("ix_contacts_email_lower", table_name="contacts")


def _fill_keys(bind: sa.Connection) -> None:
    # The rule itself, not an import of it: a migration keeps the behaviour it was written with.
    after = ""
    while True:
        rows = bind.execute(
            sa.select(contacts.c.customer_id, contacts.c.email)
            .where(contacts.c.customer_id > after, contacts.c.email.is_not(None))
            .order_by(contacts.c.customer_id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            contacts.update()
            .where(contacts.c.customer_id == sa.bindparam("id"))
            .values(email_key=sa.bindparam("key")),
            [{"id": r.customer_id, "key": r.email.strip().casefold()} for r in rows],
        )
        after = rows[-1].customer_id


def downgrade() -> None:
    # The expression index last: SQLite's batch mode copies the table, and its reflection skips
    # expression indexes, so one made before the copy would be lost.
    op.drop_index("ix_contacts_email_key", table_name="contacts")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("email_key")
    op.create_index("ix_contacts_email_lower", "contacts", [sa.text("lower(email)")])
