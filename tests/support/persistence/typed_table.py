"""A table with a column of each type the services store, for the prepared-statement suites
(values written and read through `Prepared`/`PreparedRead` against `Session.execute`)."""

from __future__ import annotations

import enum

import sqlalchemy as sa

from shared.persistence.types import UtcDateTime


class Tier(enum.Enum):
    GOLD = "gold"
    SILVER = "silver"


def things_table(metadata: sa.MetaData) -> sa.Table:
    """`things`: a string key, then a column of every type, all nullable."""
    return sa.Table(
        "things",
        metadata,
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("at", UtcDateTime, nullable=True),
        sa.Column("plain_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("doc", sa.JSON, nullable=True),
        sa.Column("tier", sa.Enum(Tier), nullable=True),
        sa.Column("active", sa.Boolean, nullable=True),
        sa.Column("amount", sa.Numeric(10, 2), nullable=True),
        sa.Column("blob", sa.LargeBinary, nullable=True),
        sa.Column("note", sa.String(50), nullable=True),
        sa.Column("rank", sa.Integer, nullable=True),
        sa.Column("naive_at", sa.DateTime, nullable=True),
    )
