"""Gateway and end-to-end benchmarks against the stack as `concierge up` runs it.

Every HTTP figure comes from the same generator (bench/loadgen.py, its own process) pointed at
the gateway and at a bare FastAPI app (bench/bare_app.py, its own uvicorn process) in this run.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.harness import Bound, Comparison, Row
from bench.stack import (
    SERVICE_NAMES,
    BareServer,
    CpuMeter,
    RssSampler,
    UpStack,
    run_loadgen,
    settle,
    token,
)

CONNECTIONS = 32
QUOTE = {"style": "CC01", "region": "US", "quantity": 1}
LABEL = "SD-2551-VT02-00120Z"
ORDER_RATE_CEILING = 150  # orders/s: quotes to prepare per second of the orders run
E2E_RATE = 100.0
E2E_CUSTOMERS = 10
E2E_LOW_RATE, LOW_SECONDS = 10.0, 4.0  # a reference run without queueing


@dataclass
class Durations:
    warmup: float
    duration: float
    e2e: float

    @classmethod
    def of(cls, quick: bool) -> Durations:
        return cls(1.0, 3.0, 5.0) if quick else cls(2.0, 8.0, 15.0)


def _auth(subject: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token(subject)}"}


def make_quotes(api: str, subject: str, n: int) -> list[str]:
    spec = {
        "mode": "throughput", "base_url": api, "connections": 16, "warmup": 0.0,
        "duration": 90.0, "cycle": False, "idempotency": True, "collect": "quote_id",
        "headers": _auth(subject),
        "requests": [{"method": "POST", "path": "/v1/quotes", "body": QUOTE}] * n,
    }  # fmt: skip
    quotes = run_loadgen(spec)["collected"]
    if len(quotes) < n * 0.9:
        raise RuntimeError(f"only {len(quotes)} of {n} quotes were created")
    return list(quotes)


def _canned(api: str, subject: str, folder: Path) -> tuple[Path, str]:
    """A real order and a real claim from the gateway: the bare app answers with the same JSON."""
    with httpx.Client(base_url=api, headers=_auth(subject), timeout=30) as c:
        quote = c.post("/v1/quotes", json=QUOTE).raise_for_status().json()
        order = c.post(
            "/v1/orders", json={"quote_id": quote["quote_id"], "payment_token": "tok_ok"}
        ).raise_for_status()
        body = {"region": "UK", "label_code": LABEL, "components": ["handles"],
                "description": "The piping on both handles broke."}  # fmt: skip
        claim = c.post("/v1/claims", json=body).raise_for_status().json()
        got = c.get(f"/v1/claims/{claim['id']}").raise_for_status().json()
    path = folder / "canned.json"
    path.write_text(json.dumps({"order": order.json(), "claim": got}))
    return path, str(claim["id"])


def _throughput(base: str, d: Durations, requests: list[dict[str, Any]], subject: str,
                cycle: bool, pids: dict[str, int] | None = None) -> dict[str, Any]:  # fmt: skip
    spec = {
        "mode": "throughput", "base_url": base, "connections": CONNECTIONS,
        "warmup": d.warmup, "duration": d.duration, "cycle": cycle, "idempotency": True,
        "headers": _auth(subject), "requests": requests,
    }  # fmt: skip
    with CpuMeter(pids or {}) as cpu:
        result = run_loadgen(spec)
    # CPU per successful request in each process (ms): where the time of one request goes.
    result["cpu_ms"] = {k: 1000 * v / max(1, result["total_ok"]) for k, v in cpu.used.items()}
    return result


def _note(label: str, r: dict[str, Any]) -> str:
    cpu = ", ".join(f"{k} {v:.1f}" for k, v in r.get("cpu_ms", {}).items())
    return (
        f"{label}: {r['ok_rate']:,.0f}/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
        f"statuses {r['statuses']}, generator CPU {r['client_cpu']:.2f} core"
        + (f"; CPU ms per request: {cpu}" if cpu else "")
    )


def gateway_benchmarks(quick: bool, notes: list[str]) -> list[Row]:
    d = Durations.of(quick)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as tmp:
        folder = Path(tmp)
        stack = UpStack(folder)
        up_seconds = stack.start()
        try:
            rows += _run(stack, folder, d, notes)
            rows.append(Bound("concierge up -> /readyz 200", "s", up_seconds, 8.0))
        finally:
            stack.stop()
    return rows


def _run(stack: UpStack, folder: Path, d: Durations, notes: list[str]) -> list[Row]:
    subject = "bench-c1"
    canned, claim_id = _canned(stack.api, subject, folder)
    n_orders = int(ORDER_RATE_CEILING * (d.warmup + d.duration))
    quotes = make_quotes(stack.api, subject, n_orders)
    e2e_customers = [f"bench-e2e-{uuid.uuid4().hex[:6]}-{i}" for i in range(E2E_CUSTOMERS)]
    # The low-rate run comes first and uses the first quotes; the 100/s run, the rest.
    per_customer = int((E2E_RATE * d.e2e + E2E_LOW_RATE * LOW_SECONDS) / E2E_CUSTOMERS) + 2
    e2e_quotes = {c: make_quotes(stack.api, c, per_customer) for c in e2e_customers}
    orders = [{"method": "POST", "path": "/v1/orders",
               "body": {"quote_id": q, "payment_token": "tok_ok"}} for q in quotes]  # fmt: skip
    get = [{"method": "GET", "path": f"/v1/claims/{claim_id}"}]
    rows: list[Row] = []
    # End-to-end first: the throughput runs leave thousands of sagas behind them.
    settle(stack.pids)
    low_n = int(E2E_LOW_RATE * LOW_SECONDS / E2E_CUSTOMERS) + 1
    low = {c: q[:low_n] for c, q in e2e_quotes.items()}
    _e2e_run(stack, E2E_LOW_RATE, LOW_SECONDS, low, notes)  # the path's own latency, no queueing
    settle(stack.pids)
    rest = {c: q[low_n:] for c, q in e2e_quotes.items()}
    rows += _e2e(stack, d, rest, notes)
    with BareServer(canned) as bare:
        bare_pids = {"bare": bare.pid}
        bare_post = _throughput(bare.url, d, orders, subject, cycle=True, pids=bare_pids)
        bare_get = _throughput(bare.url, d, get, subject, cycle=True, pids=bare_pids)
    settle(stack.pids)
    gw_get = _throughput(stack.api, d, get, subject, cycle=True, pids=stack.pids)
    settle(stack.pids)
    gw_post = _throughput(stack.api, d, orders, subject, cycle=False, pids=stack.pids)
    notes += [_note("bare POST /v1/orders", bare_post), _note("gateway POST /v1/orders", gw_post),
              _note("bare GET /v1/claims/{id}", bare_get),
              _note("gateway GET /v1/claims/{id}", gw_get)]  # fmt: skip
    rows.insert(0, Comparison("gateway POST /v1/orders (auth, idempotency, RPC, DB, outbox)",
                              "req/s", gw_post["ok_rate"], "bare FastAPI POST",
                              bare_post["ok_rate"], 0.20))  # fmt: skip
    rows.insert(1, Comparison("gateway GET /v1/claims/{id}", "req/s", gw_get["ok_rate"],
                              "bare FastAPI GET", bare_get["ok_rate"], 0.40))  # fmt: skip
    return rows


def _e2e_run(stack: UpStack, rate: float, seconds: float, quotes: dict[str, list[str]],
             notes: list[str]) -> dict[str, Any]:  # fmt: skip
    spec = {
        "mode": "e2e", "base_url": stack.api, "rate": rate, "duration": seconds,
        "kind": "order_placed",
        "customers": [{"token": token(c), "quotes": q} for c, q in quotes.items()],
    }  # fmt: skip
    r = run_loadgen(spec)
    notes.append(
        f"e2e at {rate:.0f} orders/s for {seconds:.0f} s ({len(quotes)} customers, one SSE inbox "
        f"stream each): {r['sent']} of {r['orders']} orders sent (achieved "
        f"{r['achieved_rate']:.1f}/s), {r['delivered']} messages seen, {r['missing']} missing; "
        f"latency p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.0f} ms; "
        f"POST p50 {r['post_p50_ms']:.1f} ms, p99 {r['post_p99_ms']:.1f} ms; statuses "
        f"{r['statuses']}; max schedule lag {r['max_schedule_lag_ms']:.0f} ms"
    )
    return r


def _e2e(stack: UpStack, d: Durations, quotes: dict[str, list[str]], notes: list[str]) -> list[Row]:
    with RssSampler(stack.pids) as rss:
        r = _e2e_run(stack, E2E_RATE, d.e2e, quotes, notes)
    notes.append(
        "peak RSS (MiB): " + ", ".join(f"{name} {rss.peak[name] / 2**20:.0f}" for name in rss.peak)
    )
    label = f"POST /v1/orders -> in-app message (SSE) @ {E2E_RATE:.0f}/s"
    rows: list[Row] = [
        Bound(f"{label}, p50", "ms", r["p50_ms"], 30.0),
        Bound(f"{label}, p99", "ms", r["p99_ms"], 150.0),
    ]
    for name in SERVICE_NAMES:
        rows.append(Bound(f"peak RSS {name} under that load", "MiB", rss.peak[name] / 2**20, 150))
    return rows
