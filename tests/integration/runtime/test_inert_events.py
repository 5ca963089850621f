"""Inert events (glue.EventRoute.inert): acked without a transaction or an inbox row.

The consumer's `_apply` with stand-in messages (acks, naks and terms recorded) and a real
database, on SQLite and PostgreSQL. Each test fails if the rule were broken: an inert event
that still opened a transaction leaves an inbox row; one whose check raised and was acked
unapplied never reaches the handler, and so is never refused and dead-lettered.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from shared.contracts.envelope import RawEvent
from shared.messaging.consumer import ConsumerRuntime, PullConsumer
from shared.messaging.glue import EventRoute, PoisonEvent
from shared.messaging.outbox import Tx, UnitOfWork
from shared.messaging.streams import ORDERS
from shared.persistence.db import Database
from shared.persistence.messaging_tables import inbox_table
from shared.persistence.migrations import upgrade_async
from tests.support.runtime.sample_events import MIGRATIONS, credit_event

INERT, REFUSED = "orders.sample.noticed", "orders.sample.refused"


class StandInMsg:
    def __init__(self, event_type: str) -> None:
        event = credit_event().model_copy(update={"type": event_type})
        self.id = event.id
        self.data = event.model_dump_json().encode()
        self.subject = event_type
        self.headers: dict[str, str] = {}
        self.metadata = SimpleNamespace(
            num_delivered=1, stream="ORDERS", sequence=SimpleNamespace(stream=1)
        )
        self.settled: list[str] = []

    async def ack(self) -> None:
        self.settled.append("ack")

    async def nak(self, delay: float | None = None) -> None:
        self.settled.append("nak")

    async def term(self) -> None:
        self.settled.append("term")


async def _claimed(db: Database) -> set[str]:
    async with db.read() as s:
        return set((await s.execute(sa.select(inbox_table.c.event_id))).scalars())


async def _consumer(database_url: str) -> tuple[Database, PullConsumer, list[str]]:
    await upgrade_async(database_url, MIGRATIONS)
    db = Database(database_url)
    handled: list[str] = []

    async def handler(tx: Tx, event: RawEvent) -> None:
        if event.type == REFUSED:
            raise PoisonEvent("refused by the handler")
        handled.append(event.id)

    def inert(event: RawEvent) -> bool:
        if event.type == REFUSED:
            raise PoisonEvent("the check refuses it too")
        return event.type == INERT

    route = EventRoute("sample-inert", ORDERS, "orders.>", handler, inert=inert)
    return db, PullConsumer(route, ConsumerRuntime(UnitOfWork(db))), handled


async def test_an_inert_event_is_acked_without_an_inbox_row(database_url: str) -> None:
    db, consumer, handled = await _consumer(database_url)
    try:
        inert, applied = StandInMsg(INERT), StandInMsg("orders.sample.credited")
        msgs: Any = [inert, applied]
        await consumer._apply(msgs)
        assert inert.settled == ["ack"] and applied.settled == ["ack"]
        assert handled == [applied.id]  # the handler never saw the inert event
        assert await _claimed(db) == {applied.id}  # and no inbox row was written for it
        assert consumer.applied == 2
        await consumer._apply([inert])  # alone: no transaction at all, acked again
        assert inert.settled == ["ack", "ack"] and await _claimed(db) == {applied.id}
    finally:
        await db.dispose()


async def test_an_event_the_check_refuses_is_applied_and_dead_lettered(database_url: str) -> None:
    db, consumer, handled = await _consumer(database_url)
    try:
        refused = StandInMsg(REFUSED)
        msgs: Any = [refused]
        await consumer._apply(msgs)
        assert refused.settled == ["term"]  # the handler's refusal, as without `inert`
        assert handled == [] and await _claimed(db) == set()
    finally:
        await db.dispose()
