"""The gateway's CPU per in-app SSE event: `python -m bench.cpu_sse_events [--events N --rate R]`.

What an order's in-app messages cost the gateway apart from its POST: a fresh `concierge up`,
`--streams` inbox streams held open (one per customer, as the e2e bench does), then `--events`
`notifications.message.delivered` events for the first customer published straight onto the
NOTIFICATIONS stream at `--rate` per second (what notifications publishes per in-app message:
ids, codes and the customer id only). The gateway reads them through its shared feed and
writes each one to that customer's stream; its CPU time over the window (psutil, user +
system), divided by the events, is the figure. `--spy` records the gateway with py-spy meanwhile
and prints its top frames.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nats
import psutil

from bench.cpu_post_gateway import _Inboxes
from bench.http_bench import SUBJECT
from bench.quiet import wait_idle
from bench.stack import UpStack

SPY_OUT = Path(__file__).resolve().parent / "results" / "profile-sse-events.txt"


def _delivered(customer: str) -> bytes:
    message_id = uuid.uuid4().hex
    return json.dumps({
        "specversion": "1.0", "id": uuid.uuid4().hex, "source": "notifications",
        "type": "notifications.message.delivered", "subject": message_id,
        "time": "2026-12-06T00:00:00Z",
        "data": {"message_id": message_id, "customer_id": customer, "channel": "in_app",
                 "kind": "order_placed", "delivered_at": "2026-12-06T00:00:00Z"},
    }).encode()  # fmt: skip


async def _publish(url: str, count: int, rate: float) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    start = time.perf_counter()
    for i in range(count):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        await js.publish("notifications.message.delivered", _delivered(SUBJECT))
    await nc.close()


def _spy(pid: int) -> subprocess.Popen[bytes]:
    spy = str(Path(sys.executable).with_name("py-spy"))
    SPY_OUT.parent.mkdir(parents=True, exist_ok=True)
    cmd = [spy, "record", "--format", "raw", "-r", "250", "-p", str(pid), "-o", str(SPY_OUT)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(events: int, rate: float, streams: int, spy: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="concierge-sse-") as tmp:
        stack = UpStack(Path(tmp))
        stack.start(timeout=120)
        try:
            lock = json.loads((Path(tmp) / "var" / "concierge.lock.json").read_text())
            nats_url = str(lock["nats_url"])
            with _Inboxes(stack.api, streams) as inboxes:
                wait_idle(stack.pids, timeout=30)
                gateway = psutil.Process(stack.pids["gateway"])
                spying = _spy(gateway.pid) if spy else None
                before = gateway.cpu_times()
                asyncio.run(_publish(nats_url, events, rate))
                time.sleep(2.0)  # the last events written out
                after = gateway.cpu_times()
                if spying is not None:
                    spying.send_signal(2)
                    spying.wait(60)
                seen = inboxes.events
        finally:
            stack.stop()
    user, system = after.user - before.user, after.system - before.system
    return {"at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "events": events,
            "seen_by_the_stream": seen, "rate": rate, "streams": streams,
            "gateway_ms_per_event": round(1000 * (user + system) / events, 3),
            "user_s": round(user, 3), "system_s": round(system, 3),
            "load": [round(x, 1) for x in os.getloadavg()], "under_profiler": spy}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument("--spy", action="store_true")
    a = parser.parse_args()
    print(json.dumps(measure(a.events, a.rate, a.streams, a.spy), indent=1))
    if a.spy:
        from bench.profile import parse_collapsed, top_frames

        raw = SPY_OUT.read_text().splitlines()
        samples, lines = top_frames([s for g in parse_collapsed(raw).values() for s in g], n=25)
        print(f"{samples} working samples\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
