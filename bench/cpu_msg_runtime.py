"""CPU per event of the messaging runtime alone: `python -m bench.cpu_msg_runtime`.

One nats-server, one SQLite WAL file, this process. Events arrive as they do on the order path:
in pairs (one producer transaction), paced at `--rate` events per second, not in a backlog.
Rows, each the CPU of this process and of nats-server per event (time.process_time, psutil):

- `commit`: a unit of work writing a pair of events to the outbox, no relay (the control);
- `relay`: the same with the outbox relay publishing each commit's hand-over and awaiting
  its PubAcks; relay minus commit is the relay's cost per event;
- `publish`: the relay's publish of ready rows alone, a pair at a time (no database);
- `feed`: a pair published with core NATS (no PubAck) straight onto the stream (the control);
- `consume`: the same with an inbox-guarded pull consumer applying them (a handler that writes
  nothing: the inbox claim, parse, ack, log line); consume minus feed is the consumer's cost.

Rounds alternate between the rows; the best round of each is printed. Run it before and after
a change with the same arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import nats
import psutil
import uvloop
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from pydantic import BaseModel

from bench.messaging import SAMPLE_MIGRATIONS
from bench.quiet import describe_load, load_average
from shared.contracts.envelope import CloudEvent, RawEvent, make_event
from shared.logging import configure_logging
from shared.messaging.consumer import ConsumerRuntime, PullConsumer
from shared.messaging.glue import EventRoute
from shared.messaging.outbox import OutboxRow, Tx, UnitOfWork, encode_event, event_headers
from shared.messaging.relay import OutboxRelay
from shared.messaging.streams import StreamSpec
from shared.persistence.db import Database
from shared.persistence.migrations import upgrade_async
from shared.runtime.nats_server import NatsServer, free_port

STREAM, SUBJECT, OTHER = "BENCH", "bench.item.created", "bench.item.other"
RELAYED = "bench.item.relayed"  # what the relay rows publish: not the consumer's subject


def _event(i: int, type: str = SUBJECT) -> CloudEvent[Any]:
    data = _Data(account=f"a{i % 50}", amount=1, id=str(i))
    return make_event(type=type, source="/bench", subject=str(i), data=data)


class _Data(BaseModel):
    account: str
    amount: int
    id: str


async def _paced(pairs: int, rate: float, step: Callable[[int], Awaitable[None]]) -> None:
    start = time.perf_counter()
    for i in range(pairs):
        await asyncio.sleep(max(0.0, start + 2 * i / rate - time.perf_counter()))
        await step(i)


async def _until(done: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the round did not finish")
        await asyncio.sleep(0.005)


class Bench:
    def __init__(self, js: JetStreamContext, db: Database, server: psutil.Process) -> None:
        self.js, self.db, self.server = js, db, server

    async def measure(self, run: Callable[[], Awaitable[None]], events: int) -> tuple[float, float]:
        """(this process, nats-server) CPU microseconds per event."""
        await self.js.purge_stream(STREAM)
        srv = self.server.cpu_times()
        cpu = time.process_time()
        await run()
        own = time.process_time() - cpu
        after = self.server.cpu_times()
        server = after.user + after.system - srv.user - srv.system
        return own / events * 1e6, server / events * 1e6

    async def commit(self, pairs: int, rate: float, relay: OutboxRelay | None) -> None:
        uow = UnitOfWork(self.db, on_commit=relay.hand_over if relay else None)
        target = (relay.published_total if relay else 0) + 2 * pairs

        async def step(i: int) -> None:
            async with uow() as tx:
                tx.publish(_event(2 * i, RELAYED))
                tx.publish(_event(2 * i + 1, RELAYED))

        await _paced(pairs, rate, step)
        if relay is not None:
            await _until(lambda: relay.published_total >= target)

    async def publish(self, pairs: int, rate: float, relay: OutboxRelay) -> None:
        rows = [OutboxRow(i, RELAYED, encode_event(e), event_headers(e))
                for i, e in enumerate(_event(i, RELAYED) for i in range(2 * pairs))]  # fmt: skip

        async def step(i: int) -> None:
            await relay._publish(rows[2 * i : 2 * i + 2])

        await _paced(pairs, rate, step)

    async def feed(self, pairs: int, rate: float, consumer: PullConsumer | None) -> None:
        nc = self.js._nc
        subject = SUBJECT if consumer is not None else OTHER  # the control: nobody consumes
        payloads = [(encode_event(e), event_headers(e)) for e in map(_event, range(2 * pairs))]
        target = (consumer.applied if consumer else 0) + 2 * pairs

        async def step(i: int) -> None:
            for payload, headers in payloads[2 * i : 2 * i + 2]:
                await nc.publish(subject, payload, headers=headers)

        await _paced(pairs, rate, step)
        await nc.flush()
        if consumer is not None:
            await _until(lambda: consumer.applied >= target)


async def _nothing(tx: Tx, event: RawEvent) -> None:
    return None


async def main(events: int, rate: float, rounds: int, only: set[str]) -> None:
    # As the services log: JSON lines on stderr (run with 2>/dev/null, or 2>file).
    configure_logging("bench", "json")
    with tempfile.TemporaryDirectory(prefix="cpu-msg-") as tmp:
        server = NatsServer(Path(tmp) / "nats", free_port(), free_port())
        server.start()
        try:
            await _bench(server, f"sqlite+aiosqlite:///{tmp}/bench.db", events, rate, rounds, only)
        finally:
            server.stop()


async def _bench(
    server: NatsServer, db_url: str, events: int, rate: float, rounds: int, only: set[str]
) -> None:
    await upgrade_async(db_url, SAMPLE_MIGRATIONS)
    db = Database(db_url, checkpoint_in_background=True)
    nc = await nats.connect(server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM, subjects=["bench.>"], duplicate_window=120))
    assert server.process is not None
    bench = Bench(js, db, psutil.Process(server.process.pid))
    relay = OutboxRelay(db, js)
    relay_task = asyncio.create_task(relay.run())
    spec = StreamSpec(STREAM, ("bench.>",), "", 0)
    consumer = PullConsumer(EventRoute("bench", spec, SUBJECT, _nothing), ConsumerRuntime(
        UnitOfWork(db), js=js))  # fmt: skip
    await consumer.bind()
    consumer_task = asyncio.create_task(consumer.run())
    pairs = events // 2
    rows: dict[str, Callable[[], Awaitable[None]]] = {
        "publish": lambda: bench.publish(pairs, rate, relay),
        "commit": lambda: bench.commit(pairs, rate, None),
        "relay": lambda: bench.commit(pairs, rate, relay),
        "feed": lambda: bench.feed(pairs, rate, None),
        "consume": lambda: bench.feed(pairs, rate, consumer),
    }
    best: dict[str, tuple[float, float]] = {}
    await bench.measure(rows["relay"], 2 * pairs)  # warm-up
    for _ in range(rounds):
        for name, run in rows.items():
            if (
                name in only
                or (name == "commit" and "relay" in only)
                or (name == "feed" and "consume" in only)
            ):
                got = await bench.measure(run, 2 * pairs)
                best[name] = min(best.get(name, got), got)
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, {describe_load(load_average())}, "
          f"{2 * pairs} events at {rate:.0f}/s in pairs, best of {rounds}")  # fmt: skip
    print(f"{'row':10s} {'this us/event':>14s} {'nats us/event':>14s}")
    for name, (own, srv) in best.items():
        print(f"{name:10s} {own:14.1f} {srv:14.1f}")
    if "relay" in best:
        print(f"relay net  {best['relay'][0] - best['commit'][0]:14.1f}")
    if "consume" in best:
        print(f"consume net{best['consume'][0] - best['feed'][0]:14.1f}")
    relay.stop()
    await consumer.drain(1)
    await asyncio.gather(relay_task, consumer_task, return_exceptions=True)
    await db.dispose()
    await nc.close()


def _args() -> Any:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=3000)
    p.add_argument("--rate", type=float, default=1000.0, help="events per second, in pairs")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", default="relay,consume")
    return p.parse_args()


if __name__ == "__main__":
    a = _args()
    uvloop.run(main(a.events, a.rate, a.rounds, set(a.only.split(","))))
