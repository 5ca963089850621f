"""The claim use cases composed as app.py composes them, over a migrated database; no NATS.

`Env` also reads what a test checks afterwards: outbox subjects and payloads, repair parts in
stock, and a snapshot of the claims (to show that a refused request changed nothing).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import orjson
import sqlalchemy as sa

from services.warranty.adapters.memory_stock import InMemoryReplacementStock
from services.warranty.adapters.reference_data import load_catalogue, load_policy
from services.warranty.adapters.tables import claims, repair_parts_stock
from services.warranty.adapters.unit_of_work import warranty_uow
from services.warranty.app import MIGRATIONS, claim_use_cases
from services.warranty.domain.sla import DEFAULT_TIMINGS
from services.warranty.service_layer.claims import ClaimRequest, RmaIssuer
from shared.actor import Actor
from shared.messaging.outbox import UnitOfWork
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from shared.persistence.migrations import upgrade_async

from .dates import NOW

ALICE = Actor(type="customer", id="cust-alice")
BOB = Actor(type="customer", id="cust-bob")
AGENT = Actor(type="agent", id="agent-7")
AGENT_FOR_ALICE = Actor(type="agent", id="agent-7", on_behalf_of="cust-alice")
CENTRE = Actor(type="partner", id="repair-uk")
STORY = "sd 2551 vto2 0o12o z"  # SD-2551-VT02-00120Z read with look-alike mistakes


class SteppingClock:
    """The shared `Clock`, moved on by the test."""

    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


class Env:
    def __init__(self, db: Database, clock: SteppingClock, stock: InMemoryReplacementStock) -> None:
        counter = itertools.count(1)
        self.db, self.clock, self.stock = db, clock, stock
        catalogue, policy = load_catalogue(), load_policy()
        self.uow = warranty_uow(UnitOfWork(db), catalogue, DEFAULT_TIMINGS)
        rmas = RmaIssuer(catalogue, entropy=lambda n: next(counter).to_bytes(n, "big"))
        cases = claim_use_cases(self.uow, catalogue, policy, stock, clock, DEFAULT_TIMINGS, rmas)
        self.claims, self.centre = cases.claims, cases.repair_centre
        self.queries, self.timers = cases.queries, cases.timers

    async def subjects(self) -> list[str]:
        async with self.db.read() as s:
            rows = await s.execute(sa.select(outbox_table.c.subject).order_by(outbox_table.c.seq))
            return [r.subject for r in rows]

    async def payloads(self, subject: str) -> list[dict]:
        async with self.db.read() as s:
            rows = await s.execute(
                sa.select(outbox_table.c.payload).where(outbox_table.c.subject == subject)
            )
            return [orjson.loads(r.payload) for r in rows]

    async def parts(self, style: str, region: str, part: str = "HANDLE-PAIR") -> int:
        t = repair_parts_stock
        async with self.db.read() as s:
            return (await s.execute(sa.select(t.c.quantity).where(
                t.c.part == part, t.c.style == style, t.c.region == region))).scalar_one()  # fmt: skip

    async def snapshot(self) -> tuple:
        async with self.db.read() as s:
            rows = (
                await s.execute(sa.select(claims.c.id, claims.c.status, claims.c.version))
            ).all()
        return tuple(rows), tuple(await self.subjects())


async def make_env(url: str) -> AsyncIterator[Env]:
    await upgrade_async(url, MIGRATIONS)
    db = Database(url)
    stock = InMemoryReplacementStock({("EU", "VT02"): 1, ("US", "JR01"): 0})
    yield Env(db, SteppingClock(), stock)
    await db.dispose()


def story(region: str = "UK", **kw) -> ClaimRequest:  # type: ignore[no-untyped-def]
    return ClaimRequest(region=region, components=("handles", "piping"), label_code=STORY, **kw)
