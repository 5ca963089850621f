"""Statements every service builds the same way, built once per dialect and table."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from shared.persistence.prepared import Prepared
from shared.persistence.session import Session


@lru_cache(maxsize=128)
def insert_ignore(dialect: str, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on `dialect` ("sqlite" or "postgresql").

    Pass the row as the execution's parameters (`session.execute(stmt, row)`), not with
    `.values(**row)`, which makes a new statement with every value as a literal bind, coerced and
    walked for its cache key on every insert (a tenth of the notifications service's CPU per
    event in the order path's profile). The row count says whether the row went in."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing()


@lru_cache(maxsize=128)
def _prepared_insert_ignore(dialect: str, table: sa.Table) -> Prepared:
    return Prepared(insert_ignore(dialect, table))


async def insert_or_ignore(session: Session, table: sa.Table, row: Mapping[str, Any]) -> bool:
    """Insert `row` into `table` unless its key is taken; whether it went in.

    The idempotent inserts every event runs (an inbox claim, a message per delivery key): on
    SQLite it runs as `Prepared`, without SQLAlchemy's per-statement path (prepared.py)."""
    prepared = _prepared_insert_ignore(session.dialect.name, table)
    return bool(await prepared.rowcount(session, row))
