"""`PreparedRead` (shared/persistence/prepared_read.py): a fixed SELECT run on SQLite's own
connection reads back exactly what `Session.execute` reads (same `Row` class, values, value types,
names and mapping keys), sees the transaction's own uncommitted writes, and answers no row and
many rows as `Result` does; on PostgreSQL the same calls run the statement through the session."""

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
from shared.persistence.prepared_read import PreparedRead
from tests.support.persistence.tables import database_with
from tests.support.persistence.typed_table import Tier, things_table

metadata = sa.MetaData()
things = things_table(metadata)
# A second table to join: a JSON list per thing.
extras = sa.Table("extras", metadata, sa.Column("thing_id", sa.String(20), primary_key=True))
extras.append_column(sa.Column("tags", sa.JSON, nullable=False))
FULL = {
    "rank": 3,
    "at": datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=timezone(timedelta(hours=-5))),
    "plain_at": datetime(2026, 3, 4, 5, 6, 7, 12, tzinfo=UTC),
    "naive_at": datetime(2026, 3, 4, 23, 59, 59, 999999),
    "doc": {"lines": [{"sku": "TC11", "qty": 2}], "note": "é ✓ 日本", "empty": None, "n": 1.5},
    "tier": Tier.SILVER,
    "active": False,
    "amount": Decimal("12.50"),
    "blob": b"\x00\xffbytes",
    "note": "héllo",
}
EMPTY = dict.fromkeys(FULL)  # every nullable column NULL

BY_ID = sa.select(things).where(things.c.id == sa.bindparam("id"))
BY_NOTE = sa.select(things).where(things.c.note == sa.bindparam("note")).order_by(things.c.id)
# Labels, a typed parameter as a column, outer joins and constants in the statement itself.
_KEY = sa.select(sa.bindparam("id", type_=sa.String).label("wanted")).subquery("k")
JOINED = (
    sa.select(_KEY.c.wanted, things.c.at, things.c.doc, extras.c.tags.label("extra_tags"))
    .select_from(_KEY)
    .outerjoin(things, sa.and_(things.c.id == _KEY.c.wanted, things.c.active.is_not(None)))
    .outerjoin(extras, extras.c.thing_id == _KEY.c.wanted)
    .limit(5)
)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    async with database_with(database_url, metadata) as database:
        yield database


def _same(prepared: Any, executed: Any) -> None:
    """The same row as SQLAlchemy's, value by value and type by type."""
    assert type(prepared) is type(executed)
    assert prepared._fields == executed._fields
    assert tuple(prepared) == tuple(executed)
    assert [type(v) for v in prepared] == [type(v) for v in executed]
    assert dict(prepared._mapping) == dict(executed._mapping)
    for value, theirs in zip(prepared, executed, strict=True):
        if isinstance(value, datetime):
            assert value.tzinfo == theirs.tzinfo


@pytest.mark.parametrize("values", [FULL, EMPTY], ids=["values", "nulls"])
async def test_a_row_reads_as_session_execute_reads_it(
    db: Database, values: dict[str, Any]
) -> None:
    async with db.transaction() as session:
        await session.execute(sa.insert(things), {"id": "t1", **values})
    async with db.read() as session:
        executed = (await session.execute(BY_ID, {"id": "t1"})).one()
        prepared = await PreparedRead(BY_ID).first(session, {"id": "t1"})
        assert prepared is not None
        _same(prepared, executed)
        _same(await PreparedRead(BY_ID).one(session, {"id": "t1"}), executed)
        assert prepared.doc == values["doc"] and prepared.tier == values["tier"]
        assert prepared._mapping[things.c.amount] == values["amount"]  # by Column, as Result
    if values is FULL:
        assert prepared.at == FULL["at"] and prepared.at.tzinfo is UTC


@pytest.mark.parametrize("present", [True, False], ids=["found", "outer-join-nulls"])
async def test_labels_joins_and_typed_parameters_read_as_session_execute_reads_them(
    db: Database, present: bool
) -> None:
    async with db.transaction() as session:
        await session.execute(sa.insert(things), {"id": "t1", **FULL})
        await session.execute(sa.insert(extras), {"thing_id": "t1", "tags": ["ü", None]})
    key = {"id": "t1" if present else "nobody"}
    async with db.read() as session:
        executed = (await session.execute(JOINED, key)).one()
        prepared = await PreparedRead(JOINED).one(session, key)
    _same(prepared, executed)
    assert prepared.extra_tags == (["ü", None] if present else None)
    assert prepared._mapping[things.c.doc] == (FULL["doc"] if present else None)


async def test_it_reads_the_transactions_own_uncommitted_writes(db: Database) -> None:
    read = PreparedRead(BY_ID)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await session.execute(sa.insert(things), {"id": "t1", **FULL})
            await Prepared(sa.insert(things)).rowcount(session, {"id": "t2", **EMPTY})
            await session.execute(sa.update(things).values(note="changed"))
            first, second = (
                await read.one(session, {"id": "t1"}),
                await read.first(session, {"id": "t2"}),
            )
            assert first.note == "changed" and second is not None and second.note == "changed"
            raise RuntimeError("roll it all back")
    async with db.read() as session:
        assert await read.first(session, {"id": "t1"}) is None  # rolled back with the rest


async def test_no_row_and_many_rows_answer_as_result_does(db: Database) -> None:
    async with db.transaction() as session:
        for i in (3, 1, 2):
            await session.execute(sa.insert(things), {"id": f"t{i}", **FULL})
    read = PreparedRead(BY_NOTE)
    async with db.read() as session:
        assert await read.first(session, {"note": "nobody's"}) is None
        assert list(await read.all(session, {"note": "nobody's"})) == []
        with pytest.raises(exc.NoResultFound):
            await read.one(session, {"note": "nobody's"})
        rows = await read.all(session, {"note": FULL["note"]})
        executed = (await session.execute(BY_NOTE, {"note": FULL["note"]})).all()
        assert [r.id for r in rows] == ["t1", "t2", "t3"]
        for prepared, theirs in zip(rows, executed, strict=True):
            _same(prepared, theirs)
        first = await read.first(session, {"note": FULL["note"]})
        assert first is not None and first.id == "t1"
        with pytest.raises(exc.MultipleResultsFound):
            await read.one(session, {"note": FULL["note"]})


async def test_a_missing_parameter_is_refused(db: Database) -> None:
    async with db.read() as session:
        with pytest.raises(exc.SQLAlchemyError):  # SQLAlchemy's error, not the driver's
            await PreparedRead(BY_ID).first(session, {})


def test_what_it_cannot_run_is_refused() -> None:
    with pytest.raises(TypeError):
        PreparedRead(sa.insert(things))
    doubled = sa.select(things.c.id, extras.c.thing_id.label("id")).select_from(things, extras)
    sqlite = sa.create_engine("sqlite://").dialect
    with pytest.raises(TypeError):
        PreparedRead(doubled)._plan(sqlite)  # two columns both keyed "id"
    with pytest.raises(TypeError):
        PreparedRead(sa.select(things).where(things.c.id.in_(["a", "b"])))._plan(sqlite)
