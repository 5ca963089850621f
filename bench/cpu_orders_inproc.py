"""The orders service's own CPU and SQL per order, in one process, phase by phase.

    .venv/bin/python -m bench.cpu_orders_inproc [--orders 200] [--rounds 3] [--profile] 2>/dev/null

(The service logs as it does in production, to stderr: send it elsewhere.)

What `bench.cpu_order_path` measures over the whole stack, minus NATS and the outbox relay:
the same composition as services/orders/app.py (the orders database and the sandbox journal
in its own SQLite file, the saga scheduler), on a fake clock, so every order walks the path a
real one does and nothing waits for real time:

- post: the keyed `rpc.orders.place` answer (request-key lookup, the placement, the stored
  reply; what the service does inside the POST window besides NATS), through glue.answer;
- drive: the scheduler's worker driving the order it was woken for (authorize + reserve,
  book + confirm, the first tracking read), then the sweep that writes its deferral;
- shipped: the carrier's push 30 s later (tracking, capture, shipped with the stock committed);
- poll: a reconciliation poll 45 s after that (nothing moved) and its deferral: what one
  costs when it runs (the service's first poll comes at 120 s, after the sandbox's last
  push, so in the normal flow none runs; this bench's scheduler keeps 45 s to measure one);
- delivered: the push at 90 s (delivered: the saga closes).

Per phase: CPU ms per order (time.process_time), SQL statements, write transactions and
connection check-outs (one per session or plain connection) per order on each database
(engine and pool event listeners), outbox rows per order. Phases run for all orders in turn, `--rounds` times on fresh
databases; the lowest CPU figure of the rounds is printed (load inflates CPU time a little,
never deflates it) with all of them. `--profile` writes a cProfile of the last round to
bench/results/profile-orders-inproc.txt.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from services.orders.adapters.providers.fx_file import FileFxProvider
from services.orders.adapters.providers.sandbox_carrier import SandboxCarrierProvider
from services.orders.adapters.providers.sandbox_journal import (
    DatabaseSandboxJournal,
    ensure_sandbox_tables,
    sandbox_url,
)
from services.orders.adapters.providers.sandbox_payment import SandboxPaymentProvider
from services.orders.adapters.reference_data import load_reference_data
from services.orders.adapters.unit_of_work import OrdersUnitOfWork
from services.orders.app import build_saga, build_use_cases
from services.orders.entrypoints.rpc import routes
from services.orders.entrypoints.workers import SagaScheduler
from shared.clock import FixedClock
from shared.contracts import orders as c
from shared.logging import configure_logging
from shared.messaging.glue import answer
from shared.messaging.outbox import UnitOfWork
from shared.messaging.processed_requests import ProcessedRequests
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from shared.persistence.migrations import upgrade_async
from shared.rpc import ACTOR_HEADER, REQUEST_KEY_HEADER
from tests.support.orders.stack import MIGRATIONS, START, UK_CUSTOMER

RESULTS = Path(__file__).resolve().parent / "results"
PHASES = ("post", "drive", "shipped", "poll", "delivered")


class Counts:
    """Statements and commits on one engine (a listener per event)."""

    def __init__(self, db: Database) -> None:
        self.statements = 0
        self.commits = 0
        self.checkouts = 0
        # SQLite runs on its own synchronous engine since the in-loop driver (older copies: the
        # async engine's).
        engine = getattr(db, "sqlite_engine", None) or db.engine.sync_engine
        sa.event.listen(engine, "before_cursor_execute", self._statement)
        sa.event.listen(engine, "commit", self._commit)
        sa.event.listen(engine.pool, "checkout", self._checkout)

    def _statement(self, *_args: object) -> None:
        self.statements += 1

    def _commit(self, *_args: object) -> None:
        self.commits += 1

    def _checkout(self, *_args: object) -> None:
        self.checkouts += 1

    def snapshot(self) -> tuple[int, int, int]:
        return self.statements, self.commits, self.checkouts


class Bench:
    def __init__(self, folder: Path) -> None:
        url = f"sqlite+aiosqlite:///{folder / 'orders.db'}"
        self.url = url
        self.db = Database(url)
        self.sandbox_db = Database(sandbox_url(url))
        self.clock = FixedClock(START)
        journal = DatabaseSandboxJournal(self.sandbox_db)
        self.payment = SandboxPaymentProvider(journal=journal)
        self.carrier = SandboxCarrierProvider(self.clock, journal=journal)
        uow = OrdersUnitOfWork(UnitOfWork(self.db))
        parts = build_saga(uow, self.payment, self.carrier, self.clock, retry_delay=0)
        # The production scheduler's settings (services/orders/settings.py).
        self.scheduler = SagaScheduler(
            parts.records, parts.saga, parts.tracking, 4, 2.0, 45.0, 600.0
        )
        self.cases = build_use_cases(
            uow, load_reference_data(), FileFxProvider(), self.carrier, self.clock,
            payment=self.payment, wake_saga=self.scheduler.wake,
        )  # fmt: skip
        self.place = next(r for r in routes(self.cases) if r.subject == c.Subjects.PLACE_ORDER)
        self.requests = ProcessedRequests(self.db)
        self.orders_sql = Counts(self.db)
        self.sandbox_sql = Counts(self.sandbox_db)

    async def start(self) -> None:
        await upgrade_async(self.url, MIGRATIONS)
        await ensure_sandbox_tables(self.sandbox_db)
        await self.cases.inventory.seed_stock()

    async def quotes(self, n: int) -> list[str]:
        """n quotes of one style, with the stock to fill them all."""
        made = [await self.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1) for _ in range(n)]
        await self.cases.inventory.replenish(made[0].warehouse, "TC11", n)
        return [q.quote_id for q in made]

    async def post(self, quote_id: str) -> None:
        headers = {ACTOR_HEADER: UK_CUSTOMER.header(), REQUEST_KEY_HEADER: uuid.uuid4().hex}
        body = orjson.dumps({"quote_id": quote_id, "payment_token": "tok_ok"})
        reply = await answer(self.place, self.requests, headers, body)
        assert b'"error"' not in reply[:64], reply

    async def drain(self) -> None:
        """What the scheduler's workers do with the orders woken meanwhile."""
        while not self.scheduler.queue.empty():
            order_id = self.scheduler.queue.get_nowait()
            if hasattr(self.scheduler, "drive_woken"):
                await self.scheduler.drive_woken(order_id)
            else:  # a version before the hand-over (an A/B run against an older copy)
                self.scheduler.queued.discard(order_id)
                await self.scheduler._drive(order_id)

    async def push(self, order_ids: list[str]) -> None:
        """The carrier's tracking push for each order's parcel (a wake), then the workers."""
        for order_id in order_ids:
            self.scheduler.wake(order_id)
        await self.drain()

    async def outbox_rows(self) -> int:
        async with self.db.read() as session:
            return int(
                (
                    await session.execute(sa.select(sa.func.count()).select_from(outbox_table))
                ).scalar_one()
            )


async def _phase(bench: Bench, n: int, run: Callable[[], Awaitable[None]]) -> dict[str, float]:
    o0, s0, rows0 = (
        bench.orders_sql.snapshot(),
        bench.sandbox_sql.snapshot(),
        await bench.outbox_rows(),
    )
    started = time.process_time()
    await run()
    cpu = time.process_time() - started
    o1, s1, rows1 = (
        bench.orders_sql.snapshot(),
        bench.sandbox_sql.snapshot(),
        await bench.outbox_rows(),
    )
    return {
        "cpu_ms": round(1000 * cpu / n, 3),
        "orders_statements": round((o1[0] - o0[0]) / n, 2),
        "orders_commits": round((o1[1] - o0[1]) / n, 2),
        "orders_checkouts": round((o1[2] - o0[2]) / n, 2),
        "journal_statements": round((s1[0] - s0[0]) / n, 2),
        "journal_commits": round((s1[1] - s0[1]) / n, 2),
        "journal_checkouts": round((s1[2] - s0[2]) / n, 2),
        "outbox_rows": round((rows1 - rows0) / n, 2),
    }


async def one_round(n: int, profiler: cProfile.Profile | None) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="concierge-orders-inproc-") as tmp:
        bench = Bench(Path(tmp))
        try:
            await bench.start()
            quotes = await bench.quotes(n)
            ids: list[str] = []
            clock = bench.clock

            async def post() -> None:
                for q in quotes:
                    await bench.post(q)
                ids.extend(bench.scheduler.queue._queue)  # type: ignore[attr-defined]

            async def drive() -> None:
                await bench.drain()
                clock.advance(timedelta(seconds=2))
                await bench.scheduler.sweep()  # the deferrals of the drives

            async def shipped() -> None:
                clock.advance(timedelta(seconds=29))
                await bench.push(ids)
                clock.advance(timedelta(seconds=2))
                await bench.scheduler.sweep()

            async def poll() -> None:
                clock.advance(timedelta(seconds=45))
                await bench.scheduler.sweep()  # the reconciliation polls
                clock.advance(timedelta(seconds=2))
                await bench.scheduler.sweep()  # their deferrals

            async def delivered() -> None:
                clock.advance(timedelta(seconds=15))
                await bench.push(ids)
                clock.advance(timedelta(seconds=2))
                await bench.scheduler.sweep()

            steps = dict(zip(PHASES, (post, drive, shipped, poll, delivered), strict=True))
            out: dict[str, dict[str, float]] = {}
            if profiler is not None:
                profiler.enable()
            for name, run in steps.items():
                out[name] = await _phase(bench, n, run)
            if profiler is not None:
                profiler.disable()
            await _check_closed(bench, n)
            return out
        finally:
            await bench.db.dispose()
            await bench.sandbox_db.dispose()


async def _check_closed(bench: Bench, n: int) -> None:
    """Every order went the whole way (a bench that stops early measures nothing)."""
    async with bench.db.read() as session:
        rows: list[Any] = list(
            await session.execute(sa.text("SELECT status, count(*) FROM orders GROUP BY status"))
        )
    statuses = Counter({status: count for status, count in rows})
    assert statuses == Counter({"delivered": n}), statuses


def _best(rounds: list[dict[str, dict[str, float]]]) -> dict[str, Any]:
    best: dict[str, dict[str, Any]] = {
        p: dict(min(rounds, key=lambda r: r[p]["cpu_ms"])[p]) for p in PHASES
    }
    for p in PHASES:
        best[p]["cpu_ms_rounds"] = [r[p]["cpu_ms"] for r in rounds]
    total = {k: round(sum(best[p][k] for p in PHASES), 3) for k in rounds[0]["post"]}
    return {**best, "whole_life": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    a = parser.parse_args()
    configure_logging("orders", "json")  # as the service logs under `concierge up`
    rounds = []
    # CPU time, not wall time: the event loop waiting in epoll is not work.
    profiler = cProfile.Profile(time.process_time) if a.profile else None
    for i in range(a.rounds):
        last = i == a.rounds - 1
        rounds.append(asyncio.run(one_round(a.orders, profiler if last else None)))
    with open("/proc/loadavg") as f:
        load = "/".join(f.read().split()[:3])
    result = {"at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load": load,
              "orders": a.orders, **_best(rounds)}  # fmt: skip
    print(json.dumps(result, indent=1))
    if profiler is not None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(60)
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(80)
        (RESULTS / "profile-orders-inproc.txt").write_text(text.getvalue())
        profiler.dump_stats(RESULTS / "profile-orders-inproc.pstats")


if __name__ == "__main__":
    main()
