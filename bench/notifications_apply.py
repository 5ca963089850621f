"""The notifications consumer's apply path in one process: `python -m bench.notifications_apply`.

Replays the events `python -m bench.cpu_notifications record` recorded through the real
consumer code (`PullConsumer._apply`: parse, inbox, the use cases, commit, ack) and the outbox
relay (`publish_pending` after each group whose commit woke it, as the service's relay does), on a SQLite
file migrated like the service's, with NATS faked (an ack and a PubAck cost nothing here).
Groups of `--group` events, in stream order. Prints CPU time per event (the process's, every
thread: `time.process_time`) and statements per event; log lines go to stderr as in the service
(redirect it). Several `--rounds` of fresh databases, alternating with nothing else, so two
versions of the code can be compared run after run on a loaded machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event

from bench.cpu_notifications import EVENTS, _load

MIGRATIONS = Path(__file__).resolve().parents[1] / "services/notifications/migrations"


class FakeMsg:
    def __init__(self, row: dict[str, Any], seq: int) -> None:
        self.at = 0.0
        self.data = row["data"]
        self.subject = row["subject"]
        self.headers = row["headers"]
        self.metadata = SimpleNamespace(
            num_delivered=1, stream="ORDERS", sequence=SimpleNamespace(stream=seq)
        )

    async def ack(self) -> None:
        return None


class FakeJs:
    async def publish(self, *args: Any, **kwargs: Any) -> Any:
        return SimpleNamespace(seq=1)


async def one_round(
    rows: list[dict[str, Any]], group: int, db_dir: Path, profiler: Any = None
) -> dict[str, float]:
    """`profiler` (a cProfile.Profile, say) is enabled for the measured groups only."""
    from services.notifications.app import build
    from services.notifications.settings import Settings
    from shared.logging import configure_logging
    from shared.messaging.consumer import PullConsumer
    from shared.messaging.relay import OutboxRelay
    from shared.persistence.migrations import upgrade_async

    url = f"sqlite+aiosqlite:///{db_dir / 'notifications.db'}"
    await upgrade_async(url, MIGRATIONS)
    rt = build(Settings(database_url=url, log_format="json"))
    configure_logging("notifications", "json", "INFO")
    routes = {p.route.subject.split(".")[0]: p for p in rt._pullers}
    consumer: PullConsumer = routes["orders"]
    relay = rt.relay = OutboxRelay(rt.db, FakeJs())  # type: ignore[arg-type]
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    # SQLite statements run on the in-loop synchronous engine when there is one (persistence).
    sync_engine = getattr(rt.db, "sqlite_engine", None) or rt.db.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", count)
    groups = _groups(rows, group)
    warm = sum(1 for g in groups[:WARM_GROUPS] for _ in g)
    for g in groups[:WARM_GROUPS]:
        await _apply_and_relay(consumer, relay, g)
    statements = 0
    if profiler is not None:
        profiler.enable()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for g in groups[WARM_GROUPS:]:
        await _apply_and_relay(consumer, relay, g)
    if profiler is not None:
        profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    await rt.db.dispose()
    n = len(rows) - warm
    return {"cpu_ms_per_event": 1000 * cpu / n, "wall_ms_per_event": 1000 * wall / n,
            "statements_per_event": statements / n, "published": relay.published_total,
            "events": n, "groups": len(groups) - WARM_GROUPS}  # fmt: skip


WARM_GROUPS = 60
BURST_S = 0.002  # events stored this close together reach the consumer as one group


def _groups(rows: list[dict[str, Any]], group: int) -> list[list[FakeMsg]]:
    """Fixed groups of `group` events, or with `group` 0 the bursts the service's consumer sees
    (events the producer stored within BURST_S of each other: its LINGER_S keeps them together)."""
    msgs = [FakeMsg(r, i + 1) for i, r in enumerate(rows)]
    if group > 0:
        return [msgs[i : i + group] for i in range(0, len(msgs), group)]
    out: list[list[FakeMsg]] = []
    for r, m in zip(rows, msgs, strict=True):
        if out and r["at"] - out[-1][-1].at <= BURST_S and len(out[-1]) < 64:
            out[-1].append(m)
        else:
            out.append([m])
        m.at = r["at"]
    return out


async def _apply_and_relay(consumer: Any, relay: Any, group: list[FakeMsg]) -> None:
    """One group, then the relay if the commit woke it (as the service's relay task does)."""
    await consumer._apply(group)
    if relay._wake.is_set():
        relay._wake.clear()
        await relay.publish_pending()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=Path, default=EVENTS)
    parser.add_argument("--group", type=int, default=1, help="0: the recorded bursts")
    parser.add_argument("--rounds", type=int, default=3)
    a = parser.parse_args()
    rows = [r for r in _load(a.events)]
    results = []
    for _ in range(a.rounds):
        with tempfile.TemporaryDirectory(prefix="concierge-notif-apply-") as tmp:
            results.append(asyncio.run(one_round(rows, a.group, Path(tmp))))
    out = {
        "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "events": results[-1]["events"], "groups": results[-1]["groups"], "group": a.group,
        "cpu_ms_per_event": [round(r["cpu_ms_per_event"], 3) for r in results],
        "wall_ms_per_event": [round(r["wall_ms_per_event"], 3) for r in results],
        "statements_per_event": round(results[-1]["statements_per_event"], 2),
        "published": results[-1]["published"],
    }  # fmt: skip
    print(json.dumps(out), file=sys.stdout, flush=True)


if __name__ == "__main__":
    main()
