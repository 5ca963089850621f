"""Chaos: steady orders and claims through the gateway while every process is killed in turn,
NATS restarts and the notifications consumer is paused past its ack wait; then the checker
proves nothing was lost or doubled (see checker.py for the rules).

The bounded run (CI) applies each fault once during about 90 s of load, with crash points
armed in each service's first life (relay killed between publish and mark, the order saga
killed after booking the shipment, the mailer killed after SMTP accepted a message). The long run
(`--chaos-long`, `CHAOS_DURATION` seconds, default 600) repeats the schedule with more customers.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chaos.checker import Report, check
from tests.chaos.collect import collect, wait_settled
from tests.chaos.conftest import ChaosStack
from tests.chaos.faults import FaultInjector, run_schedule
from tests.chaos.load import LoadConfig, LoadGenerator

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]

CRASH_POINTS = {
    "warranty": "relay.after_publish",
    "orders": "orders.after_shipment_created",
    "notifications": "notifications.after_send",
}
# The long run also crashes orders right after the payment step, where a concurrent cancel
# used to leave a stray authorization (fixed; test_saga_crash_window.py pins it).
CRASH_POINTS_LONG = {**CRASH_POINTS, "orders": "orders.after_stock_reserved"}
WEBHOOK_TYPES = ["warranty.claim.*", "orders.order.*", "orders.return.*"]


async def register_partner_webhook(chaos: ChaosStack) -> dict[str, Any]:
    from concierge_cli.auth_commands import _with_store

    plain, _ = await _with_store(chaos.nats_url, lambda store: store.create(
        "chaos-partner", WEBHOOK_TYPES, ["webhooks.manage", "webhooks.replay"]))  # fmt: skip
    async with httpx.AsyncClient(base_url=chaos.api, headers={"X-API-Key": plain}) as partner:
        r = await partner.post("/v1/webhooks", json={"url": chaos.partner.url,
                               "event_types": WEBHOOK_TYPES}, headers={"Idempotency-Key": "wh-1"})  # fmt: skip
    assert r.status_code == 201, r.text
    return {**r.json(), "since": time.time()}


async def settle_held_messages(chaos: ChaosStack) -> list[str]:
    """What the runbook asks of an agent (docs/operations.md): for each message held after an
    interrupted hand-over, look in the mail relay's records (here the SMTP sink) and settle it:
    `sent` if the relay has it, else `resend`. Through the public API, as an agent."""
    captured = {m["Message-ID"] for m in chaos.mail.messages}
    headers = {"Authorization": f"Bearer {chaos.token('agent-chaos', role='agent')}"}
    decisions = []
    async with httpx.AsyncClient(base_url=chaos.api, headers=headers, timeout=30) as agent:
        r = await agent.get("/v1/messages/held", params={"limit": 100})
        assert r.status_code == 200, r.text
        for held in r.json()["items"]:
            mid = held["message_id"]
            outcome = "sent" if f"<{mid}@notifications.concierge.local>" in captured else "resend"
            r = await agent.post(f"/v1/messages/held/{mid}/resolve", json={"outcome": outcome},
                                 headers={"Idempotency-Key": f"settle-{mid}"})  # fmt: skip
            assert r.status_code == 200, r.text
            decisions.append(f"{outcome} for {mid} ({held['channel']})")
    return decisions


Schedule = Callable[[FaultInjector], Awaitable[None]]


async def run_chaos(
    chaos: ChaosStack, config: LoadConfig, schedule: Schedule, *, expect_clean: bool = True
) -> tuple[Report, str]:
    started = time.monotonic()
    webhook = await register_partner_webhook(chaos)
    load = LoadGenerator(chaos.api, chaos.token, config, chaos.data_dir / "requests.jsonl")
    injector = FaultInjector(chaos.stack, clients=load)
    injector.start_watchdog()
    try:
        await load.setup()
        traffic = asyncio.create_task(load.run_until_stopped())
        restock = asyncio.create_task(load.keep_stocked(chaos.nats_url))
        try:
            await schedule(injector)
        finally:
            load.stop()
            # Requests in flight finish (each retry is bounded: docs/operations.md).
            await asyncio.wait_for(traffic, config.request_deadline + 30)
            await asyncio.wait_for(restock, 30)
        load_s = time.monotonic() - started
        busy = await wait_settled(chaos, timeout=200)
        held = await settle_held_messages(chaos)
        if held:
            busy = await wait_settled(chaos, timeout=60)
        report = check(await collect(chaos, load, webhook))
        report.counts["held_for_agent"] = len(held)
        report.counts["restocks"] = load.restocks
        report.notes += [f"held after an interrupted hand-over, agent chose {h}" for h in held]
    finally:
        await injector.stop_watchdog()
    report.notes += [f"still busy at the deadline: {b}" for b in busy]
    report.notes += [f"unplanned exit (crash point or crash): {c}" for c in injector.crashes]
    faults = "\n".join(
        f"  fault {f['fault']} {f['target']}: recovered in {f['recovered_s']}s {f['note']}".rstrip()
        for f in injector.summary()
    )
    text = (f"{report.text()}\n{faults}\n  load phase {load_s:.0f}s, total "
            f"{time.monotonic() - started:.0f}s, logs in {chaos.data_dir}")  # fmt: skip
    (chaos.data_dir / "chaos-report.txt").write_text(text)
    if (expect_clean and not report.ok) or os.environ.get(
        "CHAOS_KEEP"
    ):  # pytest's temporary folders rotate
        keep = Path(tempfile.gettempdir()) / "concierge-chaos" / time.strftime("%Y%m%d-%H%M%S")
        shutil.copytree(chaos.data_dir, keep, ignore=shutil.ignore_patterns("jetstream"))
        text += f"\n  evidence kept in {keep}"
    return report, text


def assert_clean(report: Report, text: str) -> None:
    print(text)
    c = report.counts
    assert report.ok, text
    # A run that did nothing proves nothing.
    assert c["orders_delivered"] > 0 and c["claims_closed"] > 0, text
    assert c["returns_refunded"] > 0, text  # returns ran (each refunded once: return_checks.py)
    assert c["exchanges"] > 0, text  # so did exchanges (each settled once: return_audit.py)
    assert c["emails"] > 0 and c["webhooks_expected"] > 0, text
    # The client's view (issue 18): no retried request told "failed" for something that was
    # applied, and stock never ran dry (restocked during the run), so shipping and delivery ran
    # under faults for the whole run.
    assert c["contradictions"] == 0, text
    assert c["out_of_stock"] == 0, text
    assert c["retried"] > 0, text  # the faults were felt


@pytest.mark.timeout(600)
async def test_bounded_chaos(chaos_stack_factory: Any) -> None:
    chaos = chaos_stack_factory(crash_at=CRASH_POINTS)
    report, text = await run_chaos(chaos, LoadConfig(), lambda i: run_schedule(i, rounds=1))
    assert_clean(report, text)


@pytest.mark.slow
@pytest.mark.timeout(0)
async def test_long_chaos(chaos_stack_factory: Any, chaos_long: bool) -> None:
    if not chaos_long:
        pytest.skip("long chaos run: pass --chaos-long or set CHAOS_DURATION")
    duration = float(os.environ.get("CHAOS_DURATION", "600"))
    chaos = chaos_stack_factory(crash_at=CRASH_POINTS_LONG)
    rounds = max(1, round(duration / 90))
    report, text = await run_chaos(
        chaos, LoadConfig(customers=10, seed=11), lambda i: run_schedule(i, rounds=rounds)
    )
    assert_clean(report, text)


@pytest.mark.timeout(400)
async def test_a_consumer_that_acks_before_commit_fails_the_checker(
    chaos_stack_factory: Any,
) -> None:
    """The deliberate bug: notifications acks each event before committing its effect, and
    dies once right after such an ack (tests/chaos/bugs/sitecustomize.py). Nothing redelivers
    that event, so the checker must report it lost (and the messages it should have caused)."""
    bug = {"CHAOS_BUG": "ack_before_commit", "PYTHONPATH": str(Path(__file__).parent / "bugs")}
    chaos = chaos_stack_factory(crash_at={"notifications": "consumer.after_ack"}, extra_env=bug)

    async def no_faults(injector: FaultInjector) -> None:
        await asyncio.sleep(15)  # the bug's own crash (10th event) is the only fault

    report, text = await run_chaos(chaos, LoadConfig(customers=3), no_faults, expect_clean=False)
    print(text)
    assert not report.ok, text
    assert any("never applied by notifications-" in x for x in report.lost), text
    assert any("notifications exited 137 consumer.after_ack" in n for n in report.notes), text
