"""HTTP load generator, run as its own process: `python -m bench.loadgen < spec.json`.

The same generator drives the bare baselines and the gateway, so a ratio compares servers, not
clients: one httpx.AsyncClient (HTTP/1.1 keep-alive) with a fixed number of connections, one
worker per connection, on uvloop when it is installed. It reads a JSON spec on stdin and writes
one JSON result on stdout.

Modes:
- `throughput`: closed loop, `connections` workers send the spec's requests (cycled, or each once
  when `cycle` is false) for `warmup` + `duration` seconds; only the `duration` window counts.
- `e2e`: open loop at `rate` orders/s for `duration` s: one SSE inbox stream per customer, orders
  sent one at a time per customer (so their messages arrive in order), latency = POST sent ->
  the customer's in-app message seen on the stream.
- `paced`: the e2e's POSTs without the streams: open loop at `rate` requests/s for `duration` s
  over `connections` workers, each request the spec's one with a fresh Idempotency-Key. The bare
  app's CPU per POST at the e2e's rate, with the e2e's client, is the CPU-per-order row's
  baseline (bench/http_bench.py says why).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections import Counter, deque
from typing import Any

import httpx
import orjson
import psutil

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is a gateway dependency here
    uvloop = None  # type: ignore[assignment]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _client(base_url: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0, http2=False)


def _prepared(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, str], bytes | None]]:
    out = []
    for r in spec["requests"]:
        body = r.get("body")
        content = orjson.dumps(body) if body is not None else None
        headers = dict(spec.get("headers", {})) | dict(r.get("headers", {}))
        if content is not None:
            headers["content-type"] = "application/json"
        out.append((r["method"], r["path"], headers, content))
    return out


async def throughput(spec: dict[str, Any]) -> dict[str, Any]:
    requests = _prepared(spec)
    connections, cycle = int(spec["connections"]), bool(spec.get("cycle", True))
    warmup, duration = float(spec.get("warmup", 1.0)), float(spec["duration"])
    idempotency, collect = bool(spec.get("idempotency")), spec.get("collect")
    statuses: Counter[int | str] = Counter()
    latencies: list[float] = []
    collected: list[Any] = []
    counted, total_ok = [0], [0]
    next_index = [0]
    last_done = [0.0]
    proc = psutil.Process()
    async with _client(spec["base_url"], connections) as client:
        start = time.perf_counter()
        window_start, window_end = start + warmup, start + warmup + duration
        cpu0 = [proc.cpu_times()]

        async def worker() -> None:
            while True:
                now = time.perf_counter()
                if now >= window_end:
                    return
                i = next_index[0]
                if i >= len(requests) and not cycle:
                    return
                next_index[0] += 1
                method, path, headers, content = requests[i % len(requests)]
                if idempotency:
                    headers = headers | {"idempotency-key": uuid.uuid4().hex}
                t0 = time.perf_counter()
                try:
                    r = await client.request(method, path, headers=headers, content=content)
                except httpx.TransportError as exc:
                    # A dropped keep-alive connection: count it, as a client would see it.
                    statuses[type(exc).__name__] += 1
                    continue
                t1 = time.perf_counter()
                if r.status_code < 300:
                    total_ok[0] += 1
                    if collect:
                        collected.append(r.json()[collect])
                if t0 >= window_start and t1 <= window_end:
                    statuses[r.status_code] += 1
                    latencies.append(t1 - t0)
                    if 200 <= r.status_code < 300:
                        counted[0] += 1
                    last_done[0] = t1
                elif t0 < window_start <= t1:
                    cpu0[0] = proc.cpu_times()  # the window's CPU starts with its first request

        await asyncio.gather(*(worker() for _ in range(connections)))
        end = time.perf_counter()
    cpu1 = proc.cpu_times()
    # Without cycling the requests may run out before the window closes.
    window = (
        (min(window_end, max(last_done[0], window_start + 1e-9)) - window_start)
        if (not cycle and next_index[0] >= len(requests))
        else duration
    )
    window = max(window, 1e-9)
    cpu = (cpu1.user + cpu1.system) - (cpu0[0].user + cpu0[0].system)
    return {
        "ok_rate": counted[0] / window,
        "total_ok": total_ok[0],  # warm-up included
        "statuses": {str(k): v for k, v in statuses.items()},
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "client_cpu": cpu / window,  # 1.0 = the generator kept one core busy
        "window_s": window,
        "elapsed_s": end - start,
        "collected": collected,
    }


async def _inbox_reader(
    client: httpx.AsyncClient,
    token: str,
    kind: str,
    pending: deque[float],
    latencies: list[float],
    ready: asyncio.Event,
) -> None:
    headers = {"authorization": f"Bearer {token}", "accept": "text/event-stream"}
    async with client.stream("GET", "/v1/me/notifications/stream", headers=headers) as r:
        r.raise_for_status()
        event = ""
        async for line in r.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
                if event == "ready":
                    ready.set()
            elif line.startswith("data:") and event != "ready":
                data = orjson.loads(line[5:].strip()).get("data", {})
                if data.get("kind") == kind and pending:
                    latencies.append(time.perf_counter() - pending.popleft())


async def e2e(spec: dict[str, Any]) -> dict[str, Any]:
    rate, duration, kind = float(spec["rate"]), float(spec["duration"]), spec["kind"]
    customers: list[dict[str, Any]] = spec["customers"]
    total = int(rate * duration)
    latencies: list[float] = []
    post_latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lag = [0.0]
    pendings = [deque[float]() for _ in customers]
    queues = [asyncio.Queue[float | None]() for _ in customers]
    async with (
        _client(spec["base_url"], 2 * len(customers)) as client,
        asyncio.TaskGroup() as tg,
    ):
        readers = []
        for c, pending in zip(customers, pendings, strict=True):
            ready = asyncio.Event()
            readers.append(
                tg.create_task(_inbox_reader(client, c["token"], kind, pending, latencies, ready))
            )
            await asyncio.wait_for(ready.wait(), 10)

        async def orderer(idx: int) -> None:
            c, pending, queue = customers[idx], pendings[idx], queues[idx]
            quotes = iter(c["quotes"])
            headers = {"authorization": f"Bearer {c['token']}"}
            while (scheduled := await queue.get()) is not None:
                body = {"quote_id": next(quotes), "payment_token": "tok_ok"}
                sent = time.perf_counter()
                lag[0] = max(lag[0], sent - scheduled)
                pending.append(sent)
                r = await client.post(
                    "/v1/orders",
                    json=body,
                    headers=headers | {"idempotency-key": uuid.uuid4().hex},
                )
                post_latencies.append(time.perf_counter() - sent)
                statuses[r.status_code] += 1
                if r.status_code != 201:
                    pending.pop()  # no order, so no message to wait for

        orderers = [tg.create_task(orderer(i)) for i in range(len(customers))]
        start = time.perf_counter()
        for i in range(total):
            at = start + i / rate
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            queues[i % len(queues)].put_nowait(at)
        for q in queues:
            q.put_nowait(None)
        # A stack that cannot keep up would make the run last as long as its backlog: orders
        # still queued after twice the planned time are dropped (and reported as not sent).
        await asyncio.wait(orderers, timeout=duration)
        for t in orderers:
            t.cancel()
        sent_s = time.perf_counter() - start
        sent = sum(statuses.values())
        deadline = time.perf_counter() + float(spec.get("drain", 10.0))
        while any(pendings) and time.perf_counter() < deadline:  # noqa: ASYNC110 (a poll is plainer)
            await asyncio.sleep(0.05)
        for t in readers:
            t.cancel()
    return {
        "orders": total,
        "sent": sent,
        "achieved_rate": sent / sent_s,
        "delivered": len(latencies),
        "missing": sum(len(p) for p in pendings),
        "statuses": {str(k): v for k, v in statuses.items()},
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies, default=float("nan")) * 1000,
        "post_p50_ms": percentile(post_latencies, 0.50) * 1000,
        "post_p99_ms": percentile(post_latencies, 0.99) * 1000,
        "max_schedule_lag_ms": lag[0] * 1000,
    }


async def paced(spec: dict[str, Any]) -> dict[str, Any]:
    rate, duration = float(spec["rate"]), float(spec["duration"])
    method, path, headers, content = _prepared(spec)[0]
    statuses: Counter[int] = Counter()
    queue = asyncio.Queue[bool]()
    async with _client(spec["base_url"], spec["connections"]) as client:

        async def worker() -> None:
            while await queue.get():
                key = {"idempotency-key": uuid.uuid4().hex}
                r = await client.request(method, path, content=content, headers=headers | key)
                statuses[r.status_code] += 1

        workers = [asyncio.create_task(worker()) for _ in range(spec["connections"])]
        start = time.perf_counter()
        for i in range(int(rate * duration)):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            queue.put_nowait(True)
        for _ in workers:
            queue.put_nowait(False)
        await asyncio.wait(workers, timeout=duration)  # a server that cannot keep up: cut off
        for t in workers:
            t.cancel()
        elapsed = time.perf_counter() - start
    sent = sum(statuses.values())
    return {"sent": sent, "achieved_rate": sent / elapsed, "elapsed_s": elapsed,
            "statuses": {str(k): v for k, v in statuses.items()}}  # fmt: skip


MODES = {"throughput": throughput, "e2e": e2e, "paced": paced}


async def main() -> None:
    spec = json.loads(sys.stdin.read())
    result = await MODES[spec["mode"]](spec)
    sys.stdout.write(json.dumps(result))


def run() -> None:
    if uvloop is not None:
        uvloop.run(main())
    else:
        asyncio.run(main())


if __name__ == "__main__":
    run()
