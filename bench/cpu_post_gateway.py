"""CPU per `POST /v1/orders`, per process: `python -m bench.cpu_post_gateway [--seconds N]`.

The gateway's share of the POST path (its Idempotency-Key claim and record, the RPC to orders)
and the nats-server's (each KV operation is a JetStream publish with an ack). A fresh
`concierge up`, `--quotes` quotes made first, then `--rounds` wrk rounds of `--seconds` with
bench/wrk_orders.lua (a fresh quote and Idempotency-Key per request, 2 threads,
`--connections`); each process's CPU time (psutil) over the wrk window divided by the 2xx
answers. The orders service is the limit on this path, so req/s says little about the gateway;
CPU per POST of the gateway and nats-server is the figure to compare. `--spy` records the
gateway with py-spy and writes its top frames to bench/results/profile-post-gateway-top.txt.
`--streams N` keeps N in-app inbox streams open meanwhile (SSE, one per customer: the wrk
customer and N - 1 others, as the e2e bench keeps one per customer), so the window also holds
what delivering each order's in-app message to the open streams costs; `events` counts what the
wrk customer's stream received.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

from bench import wrk
from bench.cpu_order_path import RESULTS, _spy_report, _stop
from bench.http_bench import SUBJECT, make_quotes
from bench.quiet import describe_load, load_average, wait_idle
from bench.stack import CpuMeter, UpStack, token

SPIED = ("gateway",)
SPY_RATE = 250  # samples/s: the gateway works ~1 ms per POST, so 50/s gives too few samples


def _spy(stack: UpStack, seconds: float, names: tuple[str, ...]) -> list[subprocess.Popen[bytes]]:
    spy = str(Path(sys.executable).with_name("py-spy"))
    procs = []
    for name in names:
        out = RESULTS / f"profile-post-gateway-{name}.txt"
        cmd = [spy, "record", "--format", "raw", "-r", str(SPY_RATE), "-d", str(int(seconds) * 4),
               "-p", str(stack.pids[name]), "-o", str(out)]  # fmt: skip
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


class _Inboxes:
    """N inbox streams held open on a thread of their own; `events` counts the first one's."""

    def __init__(self, api: str, n: int) -> None:
        self.api, self.n, self.events = api, n, 0
        self._stop = threading.Event()
        self._ready, self._opened = 0, threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> _Inboxes:
        if self.n:
            self._thread.start()
            if not self._opened.wait(timeout=30):
                raise RuntimeError(f"only {self._ready} of {self.n} inbox streams opened")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.n:
            self._thread.join(timeout=30)

    async def _run(self) -> None:
        others = [f"bench-sse-{uuid.uuid4().hex[:6]}-{i}" for i in range(self.n - 1)]
        async with httpx.AsyncClient(base_url=self.api, timeout=None) as client:
            tasks = [asyncio.create_task(self._read(client, c, c == SUBJECT))
                     for c in [SUBJECT, *others]]  # fmt: skip
            await asyncio.to_thread(self._stop.wait)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _read(self, client: httpx.AsyncClient, customer: str, count: bool) -> None:
        headers = {"authorization": f"Bearer {token(customer)}", "accept": "text/event-stream"}
        async with client.stream("GET", "/v1/me/notifications/stream", headers=headers) as r:
            r.raise_for_status()
            async for line in r.aiter_lines():
                if line.startswith("event: ready"):
                    self._ready += 1
                    if self._ready == self.n:
                        self._opened.set()
                elif line.startswith("event:") and count:
                    self.events += 1


def _orders_cmd(url: str, quotes: Path, seconds: float, connections: int) -> list[str]:
    args = [str(quotes), token(SUBJECT), uuid.uuid4().hex[:12], str(wrk.THREADS)]
    return wrk.command(f"{url}/v1/orders", seconds, {}, args, connections=connections)


def measure(
    seconds: float, rounds: int, quotes_n: int, conns: int, spy: tuple[str, ...], streams: int = 0
) -> dict[str, object]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="concierge-cpu-post-") as tmp:
        stack = UpStack(Path(tmp))
        stack.start(timeout=120)
        try:
            runs = []
            for i in range(rounds):
                quotes = Path(tmp) / f"quotes-{i}.txt"
                quotes.write_text("\n".join(make_quotes(stack.api, SUBJECT, quotes_n)) + "\n")
                wait_idle(stack.pids, timeout=30)
                load = describe_load(load_average())
                with _Inboxes(stack.api, streams) as inboxes:
                    spies = _spy(stack, seconds, spy)
                    with CpuMeter(stack.pids) as cpu:
                        r = wrk.run(_orders_cmd(stack.api, quotes, seconds, conns))
                        time.sleep(1.0 if streams else 0.0)  # the last orders' messages
                    _stop(spies)
                per = {k: round(1000 * v / max(1, r.ok), 3) for k, v in cpu.used.items()}
                runs.append({"req_s": round(r.ok_rate), "ok": r.ok, "non_2xx": r.non_2xx,
                             "exhausted": r.exhausted_threads, "load": load,
                             "streams": streams, "events": inboxes.events,
                             "cpu_ms_per_post": per})  # fmt: skip
        finally:
            stack.stop()
    if spy:
        top = _spy_report(spy, "post-gateway")
        (RESULTS / "profile-post-gateway-top.txt").write_text(json.dumps(runs) + "\n" + top)
    return {"at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quotes", type=int, default=1500, help="quotes per round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--spy", action="store_true", help="py-spy the gateway")
    parser.add_argument("--spy-on", default="", help="processes to py-spy, e.g. gateway,orders")
    parser.add_argument("--streams", type=int, default=0, help="inbox SSE streams held open")
    a = parser.parse_args()
    spied = tuple(n for n in a.spy_on.split(",") if n) or (SPIED if a.spy else ())
    print(
        json.dumps(
            measure(a.seconds, a.rounds, a.quotes, a.connections, spied, a.streams), indent=1
        )
    )


if __name__ == "__main__":
    main()
