"""`Prepared` (shared/persistence/prepared.py): a fixed write run on SQLite's own connection
stores exactly what `Session.execute` stores, is part of the session's transaction, and flags a
watched session; on PostgreSQL the same calls run the statement through the session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import exc

from shared.persistence.db import Database
from shared.persistence.prepared import Prepared
from shared.persistence.statements import insert_ignore
from tests.support.persistence.tables import database_with
from tests.support.persistence.typed_table import Tier, things_table

metadata = sa.MetaData()
things = things_table(metadata)
INSERT = sa.insert(things)
NOTE = sa.update(things).where(things.c.id == sa.bindparam("key")).values(note=sa.bindparam("n"))

FULL = {
    "at": datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=timezone(timedelta(hours=-5))),
    "plain_at": datetime(2026, 3, 4, 5, 6, 7, 12, tzinfo=UTC),
    "doc": {"lines": [{"sku": "TC11", "qty": 2}], "note": "é ✓", "empty": None},
    "tier": Tier.SILVER,
    "active": False,
    "amount": Decimal("12.50"),
    "blob": b"\x00\xffbytes",
    "note": "hello",
}
EMPTY = dict.fromkeys(FULL)  # every nullable column NULL


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    async with database_with(database_url, metadata) as database:
        yield database


async def _read(db: Database, key: str) -> Any:
    async with db.read() as session:
        return (await session.execute(sa.select(things).where(things.c.id == key))).one()


@pytest.mark.parametrize("values", [FULL, EMPTY], ids=["values", "nulls"])
async def test_a_row_written_by_prepared_reads_back_as_one_written_by_execute(
    db: Database, values: dict[str, Any]
) -> None:
    async with db.transaction() as session:
        await session.execute(INSERT, {"id": "by-execute", **values})
        assert await Prepared(INSERT).rowcount(session, {"id": "by-prepared", **values}) == 1
    by_execute, by_prepared = await _read(db, "by-execute"), await _read(db, "by-prepared")
    assert by_prepared._asdict() | {"id": ""} == by_execute._asdict() | {"id": ""}
    if values is FULL:
        assert by_prepared.at == FULL["at"] and by_prepared.at.tzinfo is not None
        assert by_prepared.doc == FULL["doc"] and by_prepared.tier is Tier.SILVER


async def test_sqlite_stores_the_same_bytes_as_execute(sqlite_url: str) -> None:
    """What lands in the file, read with sqlite3 itself: text for datetimes (SQLAlchemy's
    format), the enum's name, 0/1, JSON text by the engine's serializer."""
    database = Database(sqlite_url)
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with database.transaction() as session:
        await session.execute(INSERT, {"id": "a", **FULL})
        await Prepared(INSERT).rowcount(session, {"id": "b", **FULL})
        raw = session.sqlite_connection
        assert raw is not None
        columns = ", ".join(f"typeof({c}), {c}" for c in FULL)
        stored = raw.execute(f"SELECT {columns} FROM things ORDER BY id").fetchall()
    await database.dispose()
    assert stored[0] == stored[1]
    assert "2026-03-04 10:06:07.891011" in stored[0]  # the UTC time, SQLAlchemy's text format


async def test_it_is_rolled_back_with_the_unit_of_work(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await Prepared(INSERT).rowcount(session, {"id": "gone", **EMPTY})
            raise RuntimeError("the handler failed")
    async with db.read() as session:
        assert (await session.execute(sa.select(sa.func.count()).select_from(things))).scalar() == 0


async def test_it_sees_and_is_seen_by_the_sessions_other_statements(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(INSERT, {"id": "x", **EMPTY})  # not committed yet
        assert await Prepared(NOTE).rowcount(session, {"key": "x", "n": "noted"}) == 1
        note = sa.select(things.c.note).where(things.c.id == "x")
        assert (await session.execute(note)).scalar() == "noted"
        assert await Prepared(NOTE).rowcount(session, {"key": "missing", "n": "-"}) == 0


async def test_a_watched_session_is_flagged_as_having_written(db: Database) -> None:
    async with db.transaction() as session:
        await Prepared(NOTE).rowcount(session, {"key": "missing", "n": "-"})
        assert "wrote" not in session.info  # not watched: no flag
        session.watching_writes = True
        await Prepared(NOTE).rowcount(session, {"key": "missing", "n": "-"})
        assert session.info["wrote"] is True


async def test_returned_gives_each_rows_value_in_order_and_skips_ignored_rows(
    db: Database,
) -> None:
    dialect = "postgresql" if not db.sqlite else "sqlite"
    claim = Prepared(insert_ignore(dialect, things).returning(things.c.id))
    rows = [{"id": k, **EMPTY} for k in ("c", "a", "b")]
    async with db.transaction() as session:
        assert await claim.returned(session, rows) == ["c", "a", "b"]
        again = [{"id": "a", **EMPTY}, {"id": "d", **EMPTY}]
        assert await claim.returned(session, again) == ["d"]
        assert await claim.returned(session, []) == []


async def test_a_duplicate_key_raises_sqlalchemys_integrity_error(db: Database) -> None:
    async with db.transaction() as session:
        await Prepared(INSERT).rowcount(session, {"id": "dup", **EMPTY})
    with pytest.raises(exc.IntegrityError):
        async with db.transaction() as session:
            await Prepared(INSERT).rowcount(session, {"id": "dup", **EMPTY})


async def test_a_missing_parameter_is_refused_and_changes_nothing(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(INSERT, {"id": "kept", **FULL})
    with pytest.raises(exc.StatementError if not db.sqlite else exc.InvalidRequestError):
        async with db.transaction() as session:
            await Prepared(NOTE).rowcount(session, {"n": "no key given"})
    assert (await _read(db, "kept")).note == "hello"


def test_a_select_or_a_python_side_default_is_refused() -> None:
    with pytest.raises(TypeError):
        Prepared(sa.select(things))
    defaults = sa.Table("d", sa.MetaData(), sa.Column("id", sa.Integer, default=lambda: 1))
    plan = Prepared(sa.insert(defaults))
    with pytest.raises(TypeError, match="default"):
        plan._compile(sa.create_engine("sqlite://").dialect, {})


async def test_first_gives_the_returning_row_as_execute_gives_it(db: Database) -> None:
    """The RETURNING row: the same values, types and names as `Result.first()`; None when the
    statement changed nothing."""
    stamp = (
        sa.update(things)
        .where(things.c.id == sa.bindparam("key"))
        .values(note=sa.bindparam("n"))
        .returning(things.c.at, things.c.doc, things.c.tier, things.c.amount, things.c.note)
    )
    async with db.transaction() as session:
        await session.execute(INSERT, {"id": "a", **FULL})
        await session.execute(INSERT, {"id": "b", **FULL})
        by_execute = (await session.execute(stamp, {"key": "a", "n": "x"})).first()
        by_prepared = await Prepared(stamp).first(session, {"key": "b", "n": "x"})
        assert await Prepared(stamp).first(session, {"key": "missing", "n": "x"}) is None
    assert by_execute is not None and by_prepared is not None
    assert by_prepared._asdict() == by_execute._asdict()
    assert by_prepared.at.utcoffset() == by_execute.at.utcoffset()
    assert by_prepared._mapping[things.c.tier] is Tier.SILVER
    assert (await _read(db, "b")).note == "x"


async def test_first_refuses_a_statement_without_returning(db: Database) -> None:
    with pytest.raises(TypeError, match="RETURNING"):
        async with db.transaction() as session:
            await Prepared(NOTE).first(session, {"key": "missing", "n": "-"})


async def test_many_runs_the_statement_once_per_row_in_the_transaction(db: Database) -> None:
    async with db.transaction() as session:
        for key in ("a", "b", "c"):
            await session.execute(INSERT, {"id": key, **EMPTY})
        rows = [{"key": "a", "n": "one"}, {"key": "c", "n": "three"}, {"key": "zz", "n": "-"}]
        await Prepared(NOTE).many(session, rows)
        await Prepared(NOTE).many(session, [])
        session.watching_writes = True
        await Prepared(NOTE).many(session, [{"key": "b", "n": "two"}])
        assert session.info["wrote"] is True
    assert [(await _read(db, k)).note for k in ("a", "b", "c")] == ["one", "two", "three"]
    with pytest.raises(exc.IntegrityError):
        async with db.transaction() as session:
            await Prepared(INSERT).many(session, [{"id": "d", **EMPTY}, {"id": "a", **EMPTY}])
    async with db.read() as session:
        assert (
            await session.execute(sa.select(things.c.id).where(things.c.id == "d"))
        ).first() is None


async def test_the_statements_own_values_are_stored_as_execute_stores_them(db: Database) -> None:
    """Values written into the statement (processed once per plan) and parameters given by their
    key: the same row as `Session.execute` writes, call after call."""
    stamp = (
        sa.update(things)
        .where(things.c.id == sa.bindparam("key"))
        .values(at=FULL["at"], doc=FULL["doc"], tier=Tier.GOLD, note=sa.bindparam("n"))
    )
    async with db.transaction() as session:
        for key in ("a", "b", "c"):
            await session.execute(INSERT, {"id": key, **EMPTY})
        await session.execute(stamp, {"key": "a", "n": "x"})
        prepared = Prepared(stamp)
        for key in ("b", "c"):  # the second call reuses the plan
            assert await prepared.rowcount(session, {"key": key, "n": "x"}) == 1
    rows = [(await _read(db, k))._asdict() for k in ("a", "b", "c")]
    assert rows[1] | {"id": "a"} == rows[0] and rows[2] | {"id": "a"} == rows[0]
