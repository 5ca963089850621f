"""What waking up costs on this machine: `python -m bench.cpu_wake`.

The same work, done busy and done after sleeping, CPU per unit from the kernel's scheduler
(`/proc/<pid>/task/*/schedstat`: run time of every thread of the process):

- `bare`: bench/bare_app.py (uvicorn, uvloop, httptools, as the bench serves it) answering
  `POST /v1/orders` on one keep-alive connection, back to back (the app idles only while the
  client reads and writes), then paced at 1,000, 100 and 25 requests/s (it idles 1-40 ms
  before each request). CPU per request, the app's idle use subtracted.
- `nats`: a nats-py client against its own nats-server, one publish per 1 ms sleep, then ten
  publishes per flush: CPU per message in the client (the sleep loop's own cost subtracted)
  and in the server.
- `smaller`: the same client and pacing against two servers that run less code per request
  (bench/wake_servers.py): an ASGI app without FastAPI under the same uvicorn, and a bare
  uvloop stream server. How much a wake costs against how much code the request runs.

On a machine where a process that sleeps pays for each wake (cold caches, the hypervisor's
idle exit), the paced figures are several times the busy ones, and so is the CPU per order at
100 orders/s, which the stack's processes spend mostly between sleeps (docs/benchmarks.md,
"Issue 14, sixteenth pass").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import nats

from bench.stack import ROOT, BareServer, idle_use, run_time
from bench.wake_servers import LISTEN_FD
from shared.runtime.listen import HandedPort
from shared.runtime.nats_server import NatsServer, free_port

BODY = json.dumps({"quote_id": uuid.uuid4().hex, "payment_token": "tok_ok"}).encode()
REQUEST = (b"POST /v1/orders HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))  # fmt: skip


async def _posts(port: int, rate: float, n: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    start = time.perf_counter()
    for i in range(n):
        writer.write(REQUEST)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))  # fmt: skip
        await reader.readexactly(length)
        if rate:
            await asyncio.sleep(max(0.0, start + (i + 1) / rate - time.perf_counter()))
    writer.close()


def _paced(pid: int, port: int, rates: tuple[float, ...]) -> dict[str, float]:
    """Milliseconds of `pid`'s CPU per request, back to back and at each rate."""
    # Answered first: a server handed its socket queues connections while it is still starting,
    # and its start-up must not count as idle use.
    asyncio.run(_posts(port, 0.0, 50))
    idle = idle_use({"server": pid}, 3)
    out = {}
    for rate in (0.0, *rates):
        n = int(rate * 8) if rate else 3000
        before, started = run_time(pid), time.perf_counter()
        asyncio.run(_posts(port, rate, n))
        used = run_time(pid) - before - idle * (time.perf_counter() - started)
        out["back to back" if not rate else f"paced {rate:g}/s"] = round(1000 * used / n, 3)
    return out


def bare(rates: tuple[float, ...]) -> dict[str, float]:
    with BareServer() as app:
        return _paced(app.pid, app.port, rates)


def smaller(rates: tuple[float, ...]) -> dict[str, dict[str, float]]:
    with BareServer(app="bench.wake_servers:raw_app") as raw:
        asgi = _paced(raw.pid, raw.port, rates)
    port = HandedPort("127.0.0.1")  # bound here: connections wait in its backlog until served
    echo = port.popen([sys.executable, "-m", "bench.wake_servers"], env=dict(os.environ),
                      fd_variable=LISTEN_FD, cwd=ROOT)  # fmt: skip
    try:
        return {"ASGI app without FastAPI (uvicorn)": asgi,
                "uvloop stream server": _paced(echo.pid, port.port, rates)}  # fmt: skip
    finally:
        echo.terminate()
        echo.wait(10)


async def _per_message(server: int, body: Callable[[], Awaitable[None]], per: int,
                       n: int = 3000) -> tuple[float, float]:  # fmt: skip
    """CPU seconds per message in this process and in the server, one `body` per 1 ms sleep."""
    me = os.getpid()
    mine, theirs = run_time(me), run_time(server)
    for _ in range(n):
        await body()
        await asyncio.sleep(0.001)
    return (run_time(me) - mine) / n / per, (run_time(server) - theirs) / n / per


async def _publishes(url: str, server: int) -> dict[str, float]:
    nc = await nats.connect(url)

    async def nothing() -> None:
        pass

    async def one() -> None:
        await nc.publish("bench.wake", b"x")

    async def ten() -> None:
        for _ in range(10):
            await nc.publish("bench.wake", b"x")

    try:
        loop_cost, _ = await _per_message(server, nothing, 1)
        alone = await _per_message(server, one, 1)
        batched = await _per_message(server, ten, 10)
    finally:
        await nc.close()
    us = 1e6
    return {"publish alone: client": round((alone[0] - loop_cost) * us, 1),
            "publish alone: server": round(alone[1] * us, 1),
            "ten per flush: client": round((batched[0] - loop_cost / 10) * us, 1),
            "ten per flush: server": round(batched[1] * us, 1)}  # fmt: skip


def publishes() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as store:
        server = NatsServer(store_dir=Path(store), port=free_port(), monitor_port=free_port())
        server.start()
        try:
            assert server.process is not None
            return asyncio.run(_publishes(server.url, server.process.pid))
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", type=float, nargs="*", default=[1000.0, 100.0, 25.0])
    args = parser.parse_args()
    result = {"at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "bare POST, ms CPU per request": bare(tuple(args.rates)),
              "less code, ms CPU per request": smaller(tuple(args.rates)),
              "nats-py publish, us CPU per message": publishes()}  # fmt: skip
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
