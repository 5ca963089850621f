"""CPU of the notifications process alone, per order: `python -m bench.cpu_notifications`.

Two steps, so before/after runs replay exactly the same events:

- `record [--orders 300 --rate 20 --wait 110]`: starts a fresh `concierge up`, sends orders as
  `bench.cpu_order_path` does, waits for their whole life (shipping and delivery come 30 s and
  90 s after booking), then copies every message of the ORDERS stream (subject, headers, body,
  and when it was stored) to `--events` (default bench/results/notifications-events.jsonl).
- `replay [--speed 1]`: starts its own nats-server and ONE notifications process (the real
  service, `python -m services.notifications`, SQLite file), publishes the recorded events at
  their recorded pace (`--speed 2`: twice as fast), waits until every in-app message they cause
  is on the NOTIFICATIONS stream and the process is idle again, and prints the process's CPU per
  order (psutil: user + system, the idle rate subtracted) and the latency from each
  `orders.order.placed` publish to its `notifications.message.delivered` on the stream.

Only the notifications process and nats-server run, so the figure moves much less with the
machine's load than the whole-stack bench; it still counts the consumer, the outbox relay and
the delivery workers' polling, all as the service runs them. `--spy` records the process with
py-spy and writes its top frames to bench/results/profile-notifications-replay-top.txt.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nats
import psutil

from bench.quiet import describe_load, load_average
from bench.stack import CpuMeter, wait_http
from shared.messaging.streams import ensure_streams
from shared.runtime.nats_server import NatsServer, free_port

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = RESULTS.parents[1]
EVENTS = RESULTS / "notifications-events.jsonl"
DELIVERED = "notifications.message.delivered"


# Recording ------------------------------------------------------------------------------------


def record(orders: int, rate: float, wait: float, out: Path) -> int:
    from bench.cpu_order_path import _send
    from bench.http_bench import SUBJECT, make_quotes
    from bench.stack import UpStack

    with tempfile.TemporaryDirectory(prefix="concierge-notif-rec-") as tmp:
        stack = UpStack(Path(tmp))
        stack.start(timeout=120)
        try:
            quotes = make_quotes(stack.api, SUBJECT, orders, minimum=1.0)[:orders]
            asyncio.run(_send(stack.api, quotes, rate))
            time.sleep(wait)
            lock = json.loads((Path(tmp) / "var" / "concierge.lock.json").read_text())
            n = asyncio.run(_dump_stream(lock["nats_url"], "ORDERS", out))
        finally:
            stack.stop()
    return n


async def _dump_stream(url: str, stream: str, out: Path) -> int:
    nc = await nats.connect(url)
    js = nc.jetstream()
    last = (await js.stream_info(stream)).state.last_seq
    lines = []
    for seq in range(1, last + 1):
        m = await js.get_msg(stream, seq)
        assert m.data is not None
        stored = m.headers or {}
        when = m.time.isoformat() if m.time else None
        lines.append(json.dumps({"seq": seq, "subject": m.subject, "time": when,
                                 "headers": dict(stored),
                                 "data": base64.b64encode(m.data).decode()}))  # fmt: skip
    await nc.close()
    _write(out, lines)
    return len(lines)


def _write(out: Path, lines: list[str]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")


# Replaying ------------------------------------------------------------------------------------


def _load(path: Path) -> list[dict[str, Any]]:
    from datetime import datetime

    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    first = datetime.fromisoformat(rows[0]["time"]) if isinstance(rows[0]["time"], str) else None
    for r in rows:
        r["data"] = base64.b64decode(r["data"])
        if first is not None:
            r["at"] = (datetime.fromisoformat(r["time"]) - first).total_seconds()
        else:
            r["at"] = 0.0
    return rows


def _service(tmp: Path, nats_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = os.environ | {
        "NOTIFICATIONS_NATS_URL": nats_url,
        "NOTIFICATIONS_ENV": "local",
        "NOTIFICATIONS_LOG_FORMAT": "json",
        "NOTIFICATIONS_HEALTH_PORT": str(port),
        "NOTIFICATIONS_HEALTH_HOST": "127.0.0.1",
        "CONCIERGE_DATA_DIR": str(tmp / "var"),
    }
    log = open(tmp / "notifications.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "services.notifications"], cwd=ROOT, env=env,
                            stdout=log, stderr=log)  # fmt: skip
    log.close()
    return proc, f"http://127.0.0.1:{port}/readyz"


def _idle_rate(pid: int, seconds: float) -> float:
    with CpuMeter({"n": pid}) as cpu:
        time.sleep(seconds)
    return cpu.used["n"] / seconds


def _wait_idle(pid: int, threshold: float = 0.05, quiet_s: float = 2.0, limit: float = 120) -> None:
    p = psutil.Process(pid)
    p.cpu_percent(None)
    quiet, start = 0.0, time.monotonic()
    while quiet < quiet_s and time.monotonic() - start < limit:
        time.sleep(0.5)
        quiet = quiet + 0.5 if p.cpu_percent(None) / 100 < threshold else 0.0


async def _publish_and_watch(url: str, rows: list[dict[str, Any]], speed: float,
                             expected: int, timeout: float) -> dict[str, Any]:  # fmt: skip
    nc = await nats.connect(url)
    js = nc.jetstream()
    await ensure_streams(js, 1)
    sent_at: dict[str, float] = {}
    seen: dict[str, float] = {}
    done = asyncio.Event()

    async def on_delivered(msg: Any) -> None:
        event = json.loads(msg.data)
        source = event["data"].get("source_event_id")
        if event["data"].get("kind") == "order_placed" and source not in seen:
            seen[source] = time.perf_counter()
        count["n"] += 1
        if count["n"] >= expected:
            done.set()

    count = {"n": 0}
    sub = await js.subscribe(DELIVERED, cb=on_delivered, ordered_consumer=True)
    start = time.perf_counter()
    for burst in _bursts(rows):
        await asyncio.sleep(max(0.0, start + burst[0]["at"] / speed - time.perf_counter()))
        # A producer's relay publishes a transaction's events without waiting for each PubAck
        # (the recorded store times are ~15 us apart): so does the replay, in stream order.
        acks = [asyncio.ensure_future(js.publish(r["subject"], r["data"], headers=r["headers"]))
                for r in burst]  # fmt: skip
        for r in burst:
            if r["subject"] == "orders.order.placed":
                sent_at[json.loads(r["data"])["id"]] = time.perf_counter()
        await asyncio.gather(*acks)
    try:
        await asyncio.wait_for(done.wait(), timeout)
    except TimeoutError:
        pass
    await sub.unsubscribe()
    await nc.close()
    lat = sorted(1000 * (seen[k] - sent_at[k]) for k in sent_at if k in seen)
    return {"delivered_seen": count["n"], "expected": expected,
            "placed_latency_ms": _percentiles(lat)}  # fmt: skip


BURST_S = 0.002  # events stored this close together were one producer transaction's


def _bursts(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    out: list[list[dict[str, Any]]] = []
    for r in rows:
        if out and r["at"] - out[-1][-1]["at"] <= BURST_S:
            out[-1].append(r)
        else:
            out.append([r])
    return out


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return {"n": len(values), "p50": round(pick(0.5), 1), "p90": round(pick(0.9), 1),
            "p99": round(pick(0.99), 1), "max": round(values[-1], 1)}  # fmt: skip


def _expected_messages(rows: list[dict[str, Any]]) -> tuple[int, int]:
    from services.notifications.domain.messages import EVENT_MESSAGES

    orders = sum(r["subject"] == "orders.order.placed" for r in rows)
    return orders, sum(len(EVENT_MESSAGES.get(r["subject"], ())) for r in rows)


def replay(events: Path, speed: float, idle: float, spy: bool) -> dict[str, Any]:
    rows = _load(events)
    orders, expected = _expected_messages(rows)
    with tempfile.TemporaryDirectory(prefix="concierge-notif-replay-") as tmp_s:
        tmp = Path(tmp_s)
        server = NatsServer(tmp / "nats", free_port(), free_port())
        server.start()
        proc, ready = _service(tmp, server.url)
        try:
            wait_http(ready, 60)
            _wait_idle(proc.pid)
            idle_rate = _idle_rate(proc.pid, idle)
            load = describe_load(load_average())
            spies = _spy(proc.pid) if spy else []
            with CpuMeter({"notifications": proc.pid, "nats-server": server.process.pid}) as cpu:  # type: ignore[union-attr]
                t0 = time.perf_counter()
                seen = asyncio.run(_publish_and_watch(server.url, rows, speed, expected, 120))
                _wait_idle(proc.pid)
                elapsed = time.perf_counter() - t0
            _stop_spies(spies)
        finally:
            proc.terminate()
            proc.wait(30)
            server.stop()
        groups = _groups(tmp / "notifications.log")
    own = cpu.used["notifications"] - idle_rate * elapsed
    result = {
        "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "events": len(rows), "orders": orders, "speed": speed, "elapsed_s": round(elapsed, 1),
        "load_before": load, "load_after": describe_load(load_average()),
        "idle_core": round(idle_rate, 4),
        "notifications_ms_per_order": round(1000 * own / max(1, orders), 2),
        "notifications_ms_per_event": round(1000 * own / len(rows), 3),
        "nats_ms_per_order": round(1000 * cpu.used["nats-server"] / max(1, orders), 2),
        **seen, **groups, "under_profiler": spy,
    }  # fmt: skip
    if spy:
        (RESULTS / "profile-notifications-replay-top.txt").write_text(
            json.dumps(result) + "\n" + _spy_report()
        )
    return result


def _groups(log: Path) -> dict[str, Any]:
    """How the consumer grouped the events: from its `events.applied` lines (one per group)."""
    sizes = []
    for line in log.read_text().splitlines():
        if '"events.applied"' in line:
            sizes.append(json.loads(line)["group"])
    return {"groups": len(sizes), "events_per_group": round(sum(sizes) / max(1, len(sizes)), 2)}


def _spy(pid: int) -> list[subprocess.Popen[bytes]]:
    spy = str(Path(sys.executable).with_name("py-spy"))
    out = RESULTS / "profile-notifications-replay.txt"
    cmd = [spy, "record", "--format", "raw", "-r", "200", "-d", "3600", "-p", str(pid),
           "-o", str(out)]  # fmt: skip
    return [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]


def _stop_spies(spies: list[subprocess.Popen[bytes]]) -> None:
    from bench.cpu_order_path import _stop

    _stop(spies)


def _spy_report() -> str:
    from bench.profile import parse_collapsed, top_frames

    raw = (RESULTS / "profile-notifications-replay.txt").read_text().splitlines()
    stacks = [s for group in parse_collapsed(raw).values() for s in group]
    samples, lines = top_frames(stacks, n=40)
    return "\n".join([f"## notifications ({samples} working samples)", *lines])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=("record", "replay"))
    parser.add_argument("--events", type=Path, default=EVENTS)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--wait", type=float, default=110.0)
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--spy", action="store_true")
    a = parser.parse_args()
    if a.mode == "record":
        print(json.dumps({"recorded": record(a.orders, a.rate, a.wait, a.events)}))
    else:
        print(json.dumps(replay(a.events, a.speed, a.idle, a.spy), indent=1))


if __name__ == "__main__":
    main()
