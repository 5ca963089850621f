"""`Prepared` writes a SQLite DATETIME with `isoformat` instead of SQLAlchemy's %-format: the
same text for every value (shared/persistence/prepared.py, `_sqlite_datetime`)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from shared.persistence.prepared import bind_plan

metadata = sa.MetaData()
stamps = sa.Table(
    "stamps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime),
    sa.Column("aware_at", sa.DateTime(timezone=True)),
    sa.Column("on", sa.Date),
)
DIALECT = sqlite.dialect()
SQLALCHEMYS = sqlite.DATETIME().bind_processor(DIALECT)
ZONES = st.one_of(
    st.none(), st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
)


def _processors() -> dict[str, object]:
    compiled = sa.insert(stamps).compile(dialect=DIALECT, column_keys=["id", "at", "aware_at"])
    return {b.key: b.process for b in bind_plan(compiled)}


@given(st.datetimes(timezones=ZONES))
def test_every_datetime_is_stored_as_sqlalchemy_stores_it(value: datetime) -> None:
    processors = _processors()
    assert SQLALCHEMYS is not None
    for column in ("at", "aware_at"):
        process = processors[column]
        assert callable(process)
        assert process(value) == SQLALCHEMYS(value)


def test_none_and_a_date_go_to_sqlalchemys_processor() -> None:
    process = _processors()["at"]
    assert callable(process) and SQLALCHEMYS is not None
    assert process(None) is None
    assert (
        process(date(2026, 3, 4)) == SQLALCHEMYS(date(2026, 3, 4)) == "2026-03-04 00:00:00.000000"
    )


def test_a_date_column_keeps_sqlalchemys_processor() -> None:
    compiled = sa.insert(stamps).compile(dialect=DIALECT, column_keys=["id", "on"])
    process = next(b.process for b in bind_plan(compiled) if b.key == "on")
    assert process is not None and process(date(2026, 3, 4)) == "2026-03-04"
