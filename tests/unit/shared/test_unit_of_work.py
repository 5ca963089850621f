"""The shared unit of work: domain events reach the outbox only through a committed write."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel

from shared.contracts.envelope import CloudEvent, make_event
from shared.messaging.outbox import Tx, UnitOfWork
from shared.messaging.unit_of_work import ReadOnlyWork, SqlUnitOfWork, ToWire, Work
from shared.persistence.db import Database
from shared.persistence.messaging_tables import messaging_metadata, outbox_table


@dataclass(frozen=True)
class ThingHappened:
    thing_id: str


class ThingHappenedData(BaseModel):
    thing_id: str


def to_wire(event: ThingHappened) -> CloudEvent[Any]:
    return make_event(
        type="test.thing.happened",
        source="test",
        subject=event.thing_id,
        data=ThingHappenedData(thing_id=event.thing_id),
    )


class ThingWork(Work[ThingHappened]):
    def __init__(self, tx: Tx, wire: ToWire[ThingHappened] | None) -> None:
        super().__init__(tx, wire)
        self.session = tx.session


@pytest.fixture
async def uow(tmp_path: Path) -> AsyncIterator[SqlUnitOfWork[ThingWork]]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'u.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
    yield SqlUnitOfWork(UnitOfWork(db), ThingWork, to_wire)
    await db.dispose()


async def outbox_subjects(uow: SqlUnitOfWork[ThingWork]) -> list[str]:
    async with uow.read() as work:
        rows = await work.session.execute(sa.select(outbox_table.c.subject))
        return [row.subject for row in rows]


async def test_a_committed_write_puts_its_events_in_the_outbox(
    uow: SqlUnitOfWork[ThingWork],
) -> None:
    async with uow() as work:
        work.publish(ThingHappened("T-1"))
    assert await outbox_subjects(uow) == ["test.thing.happened"]


async def test_a_failed_write_leaves_no_event_behind(uow: SqlUnitOfWork[ThingWork]) -> None:
    with pytest.raises(KeyError):
        async with uow() as work:
            work.publish(ThingHappened("T-1"))
            raise KeyError("the use case failed after publishing")
    assert await outbox_subjects(uow) == []


async def test_publishing_from_a_read_only_snapshot_is_refused(
    uow: SqlUnitOfWork[ThingWork],
) -> None:
    async with uow.read() as work:
        with pytest.raises(ReadOnlyWork):
            work.publish(ThingHappened("T-1"))
    assert await outbox_subjects(uow) == []
