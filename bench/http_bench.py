"""Gateway HTTP throughput with wrk, each figure against a bare FastAPI app in the same run.

`GET /v1/claims/{id}` and `POST /v1/orders` on a fresh `concierge up`, and the same two calls
on bench/bare_app.py (same JSON answers, same body). wrk: 2 threads, 32 connections, 8 s
(`--quick`: 3 s), after a short warm-up. Before each measurement the bench waits until every
process of the stack (and the bare app) is idle, and records the load average and how much CPU
the rest of the machine used.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import wrk
from bench.harness import Row, generator_bound, progress
from bench.quiet import IdleCheck, OthersMeter, describe_load, load_average, wait_idle
from bench.stack import BareServer, CpuMeter, UpStack, run_loadgen, token

QUOTE = {"style": "CC01", "region": "US", "quantity": 1}
LABEL = "SD-2551-VT02-00120Z"
SUBJECT = "bench-c1"


@dataclass(frozen=True)
class Settings:
    seconds: float
    warmup: float
    # Enough for the gateway's POST window; running out invalidates the row. 5,000 ran out at
    # 622 POSTs/s over 8 s on a faster machine of this kind (sixteenth session): room for
    # 1,250/s now.
    post_quotes: int

    @classmethod
    def of(cls, quick: bool) -> Settings:
        return cls(3.0, 1.0, 3750) if quick else cls(8.0, 2.0, 10000)


@dataclass(frozen=True)
class Measured:
    result: wrk.WrkResult
    check: IdleCheck
    others_cores: float  # during the run itself
    cpu_ms: dict[str, float]  # CPU per successful request, per process

    @property
    def loaded(self) -> bool:
        return not self.check.machine_quiet or self.others_cores > 0.25

    def note(self, label: str) -> str:
        r = self.result
        cpu = ", ".join(f"{k} {v:.2f}" for k, v in self.cpu_ms.items())
        return (f"{label}: {r.ok_rate:,.0f} req/s ({r.requests} requests, {r.non_2xx} non-2xx, "
                f"{r.socket_errors} socket errors), p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, "
                f"wrk {r.generator_cores:.2f} core; CPU ms per request: {cpu}; "
                f"{self.check.describe()}, others during run {self.others_cores:.2f} core, "
                f"load {describe_load(self.check.load)}")  # fmt: skip


def _auth(subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(subject)}"}


def make_quotes(api: str, subject: str, n: int, minimum: float = 0.9) -> list[str]:
    """Up to `n` quotes for `subject`, created through the API before any clock starts (for at
    most 120 s); fewer than `minimum` * n is an error."""
    spec = {
        "mode": "throughput", "base_url": api, "connections": 16, "warmup": 0.0,
        "duration": 120.0, "cycle": False, "idempotency": True, "collect": "quote_id",
        "headers": _auth(subject),
        "requests": [{"method": "POST", "path": "/v1/quotes", "body": QUOTE}] * n,
    }  # fmt: skip
    quotes = run_loadgen(spec)["collected"]
    if len(quotes) < n * minimum:
        raise RuntimeError(f"only {len(quotes)} of {n} quotes were created")
    return list(quotes)


def canned_answers(api: str, folder: Path) -> tuple[Path, str]:
    """A real order and claim from the gateway: the bare app answers with the same JSON."""
    with httpx.Client(base_url=api, headers=_auth(SUBJECT), timeout=30) as c:
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


def _measure(cmd: list[str], warmup: list[str] | None, pids: dict[str, int]) -> Measured:
    progress(f"waiting for an idle stack, then wrk {cmd[-1] if '--' not in cmd else 'POST'}")
    check = wait_idle(pids, timeout=30)
    if warmup is not None:
        wrk.run(warmup)
    with CpuMeter(pids) as cpu, OthersMeter() as others:
        result = wrk.run(cmd)
    per = {k: 1000 * v / max(1, result.ok) for k, v in cpu.used.items()}
    return Measured(result, check, others.cores, per)


def _orders_cmd(url: str, s: Settings, quotes: Path, cycle: bool) -> list[str]:
    args = [str(quotes), token(SUBJECT), uuid.uuid4().hex[:12], str(wrk.THREADS)]
    return wrk.command(f"{url}/v1/orders", s.seconds, {}, [*args, "cycle"] if cycle else args)


def _get_cmds(url: str, claim_id: str, s: Settings) -> tuple[list[str], list[str]]:
    target = f"{url}/v1/claims/{claim_id}"
    return (wrk.command(target, s.seconds, _auth(SUBJECT), None),
            wrk.command(target, s.warmup, _auth(SUBJECT), None))  # fmt: skip


@dataclass(frozen=True)
class Paced:
    """The bare app's CPU per POST when the POSTs come at the e2e's rate (`paced_bare_post`)."""

    cpu_ms: float
    result: dict[str, Any]
    check: IdleCheck

    def note(self) -> str:
        r = self.result
        return (f"bare POST /v1/orders paced at {r['achieved_rate']:.1f}/s (the e2e's client and "
                f"pacing, no streams): {self.cpu_ms:.3f} ms CPU per request ({r['sent']} sent, "
                f"statuses {r['statuses']}), its idle use subtracted; generator "
                f"{r['generator_cores']:.2f} core; {self.check.describe()}")  # fmt: skip


def paced_bare_post(bare: BareServer, rate: float, connections: int, seconds: float) -> Paced:
    """The bare app's CPU per POST at `rate` requests/s, sent by the e2e's generator (the same
    httpx client, pacing, body and headers, without the SSE streams): the baseline of the
    CPU-per-order row, which is measured at that rate.

    wrk keeps its 32 connections busy, so the bare app never waits between requests and its CPU
    per request is the warm figure. At 100 requests/s a process goes idle for about 10 ms before
    each one, and on this kind of machine (a microVM, 2 vCPUs) waking costs more CPU than the
    request: on one such machine the bare app used 0.85-0.94 ms per POST at 100/s and 0.25-0.28
    ms under wrk (docs/benchmarks.md, "Issue 14, sixteenth pass"). Every process an order passes
    through pays that too, so the order's CPU is compared with the bare POST at the same rate."""
    pids = {"bare": bare.pid}
    check = wait_idle(pids, timeout=30)
    body = {"quote_id": uuid.uuid4().hex, "payment_token": "tok_ok"}
    spec = {"mode": "paced", "base_url": bare.url, "rate": rate, "duration": seconds,
            "connections": connections, "headers": _auth(SUBJECT),
            "requests": [{"method": "POST", "path": "/v1/orders", "body": body}]}  # fmt: skip
    progress(f"bare POST paced at {rate:.0f}/s for {seconds:.0f} s")
    started = time.perf_counter()
    with CpuMeter(pids) as cpu:
        result = run_loadgen(spec)
    used = cpu.used["bare"] - check.idle_cores * (time.perf_counter() - started)
    return Paced(1000 * used / max(1, result["sent"]), result, check)


def http_benchmarks(quick: bool, notes: list[str], paced_rate: float,
                    paced_connections: int) -> tuple[list[Row], Paced]:  # fmt: skip
    """The two throughput rows, `concierge up`'s start-up row, and the bare POST's CPU per
    request at `paced_rate` (the baseline of the CPU-per-order row: `paced_bare_post`)."""
    s = Settings.of(quick)
    with tempfile.TemporaryDirectory(prefix="concierge-bench-http-") as tmp:
        folder = Path(tmp)
        stack = UpStack(folder)
        with OthersMeter() as others:
            up_seconds = stack.start()
        try:
            rows, paced = _run(stack, folder, s, notes, (paced_rate, paced_connections))
        finally:
            stack.stop()
    load = describe_load(load_average())
    rows.append(Row("concierge up -> /readyz 200", "s", up_seconds, floor=8.0,
                    higher_is_better=False, load=load, loaded=others.cores > 0.25,
                    idle=f"others used {others.cores:.2f} core while starting"))  # fmt: skip
    return rows, paced


def _run(stack: UpStack, folder: Path, s: Settings, notes: list[str],
         paced_at: tuple[float, int]) -> tuple[list[Row], Paced]:  # fmt: skip
    progress(f"http: stack up; creating {s.post_quotes} quotes for the POST runs")
    canned, claim_id = canned_answers(stack.api, folder)
    quotes = folder / "quotes.txt"
    # Fewer quotes than asked (a slow machine) still run: if the gateway uses them all before
    # the window closes, its row says INVALID instead of reporting a low rate.
    made = make_quotes(stack.api, SUBJECT, s.post_quotes, minimum=0.1)
    quotes.write_text("\n".join(made) + "\n")
    warm_quotes = folder / "warm-quotes.txt"
    warm_quotes.write_text("\n".join(make_quotes(stack.api, SUBJECT, 200)) + "\n")
    with BareServer(canned) as bare:
        pids = stack.pids | {"bare": bare.pid}
        get, get_warm = _get_cmds(bare.url, claim_id, s)
        bare_get = _measure(get, get_warm, pids)
        bare_post = _measure(_orders_cmd(bare.url, s, quotes, cycle=True), get_warm, pids)
        paced = paced_bare_post(bare, *paced_at, s.seconds)
    get, get_warm = _get_cmds(stack.api, claim_id, s)
    gw_get = _measure(get, get_warm, stack.pids)
    warm = wrk.command(f"{stack.api}/v1/orders", 1, {}, [str(warm_quotes), token(SUBJECT),
                       uuid.uuid4().hex[:12], str(wrk.THREADS)])  # fmt: skip
    gw_post = _measure(_orders_cmd(stack.api, s, quotes, cycle=False), warm, stack.pids)
    notes += [bare_get.note("bare GET /v1/claims/{id}"), gw_get.note("gateway GET /v1/claims/{id}"),
              bare_post.note("bare POST /v1/orders"), gw_post.note("gateway POST /v1/orders"),
              paced.note()]  # fmt: skip
    rows = [
        _ratio_row("gateway GET /v1/claims/{id} vs bare FastAPI GET (wrk, 32 connections)",
                   gw_get, bare_get, 0.15, 0.35),
        _ratio_row("gateway POST /v1/orders vs bare FastAPI POST, same body (wrk + Lua)",
                   gw_post, bare_post, 0.08, 0.20),
    ]  # fmt: skip
    return rows, paced


def _ratio_row(name: str, subject: Measured, base: Measured, floor: float, goal: float) -> Row:
    return Row(
        name, "req/s", subject.result.ok_rate, floor=floor, goal=goal,
        baseline=base.result.ok_rate, baseline_name="bare",
        generator_cores=base.result.generator_cores,
        idle=f"subject: {subject.check.describe()} | bare: {base.check.describe()}",
        load=describe_load(subject.check.load),
        invalid=invalid_reason(subject.result, base.result),
        loaded=subject.loaded or base.loaded,
    )  # fmt: skip


def invalid_reason(subject: wrk.WrkResult, base: wrk.WrkResult) -> str:
    """Why a subject/baseline pair does not make a figure, or ""."""
    reasons = [generator_bound(base.generator_cores)]
    if subject.exhausted_threads:
        reasons.append("the gateway used every prepared quote before the window closed")
    for label, r in (("gateway", subject), ("bare", base)):
        if r.requests and (r.non_2xx + r.socket_errors) > 0.01 * r.requests + wrk.CONNECTIONS:
            reasons.append(f"{label}: {r.non_2xx} non-2xx, {r.socket_errors} socket errors")
    return "; ".join(r for r in reasons if r)
