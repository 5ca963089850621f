"""Issue 18: a retried claim command gets the original success, whatever died after the commit.

Every state-changing claim operation (open, cancel, decision, receipt, inspection, repair,
replacement, shipment, delivery) is run with a crash right after the warranty service committed
it and before anyone heard the answer:
- the warranty service dies (`rpc.after_commit:<subject>`: after the commit, before it stored
  its reply or answered), or
- the gateway dies (`rpc_client.after_reply:<subject>`: it got the service's reply and never
  answered the client).
The client retries with the same Idempotency-Key and body (tests/chaos/retrying.py) and must get
a 2xx with the claim in the state the first attempt put it in, the transition recorded once, and
the same body the service recorded for the first attempt. On the code before issue 18 the
receipt's retry got 409 `claim_invalid_transition` ("a claim that is received cannot receive").
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from services.gateway.idempotency import kv_key_for
from shared.contracts.warranty import Subjects as S
from tests.chaos.retrying import Outcome, call_until_final, same_fields, stored_reply
from tests.support.labels import story1_label

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]

FAST = {"GATEWAY_RPC_TIMEOUT_SECONDS": "3"}  # a dead service is noticed sooner
COMMANDS = (S.OPEN_CLAIM, S.CANCEL_CLAIM, S.DECIDE_CLAIM, S.RECORD_RECEIPT, S.START_INSPECTION,
            S.START_REPAIR, S.START_REPLACEMENT, S.RECORD_SHIPMENT, S.RECORD_DELIVERY)  # fmt: skip
Step = Callable[[str, httpx.AsyncClient, str, str, Any], Awaitable[Outcome]]


class Watchdog:
    """Restarts dead children (from the test's thread: they die with the thread that forked
    them). Crash points stay armed across restarts, except in the children named in `disarm`,
    which restart with the point `arm()` set for them, or none."""

    def __init__(self, chaos: Any, disarm: set[str]) -> None:
        self.chaos = chaos
        self.disarm = disarm
        self.next_points: dict[str, str] = {}
        self.restarted = asyncio.Event()

    def child(self, name: str) -> Any:
        return next(c for c in self.chaos.stack.children if c.spec.name == name)

    async def loop(self) -> None:
        while True:
            for c in self.chaos.stack.children:
                name = c.spec.name
                if name in self.disarm and c.process and not c.alive():
                    c.env.pop("CONCIERGE_CRASH_AT", None)
                    if name in self.next_points:
                        c.env["CONCIERGE_CRASH_AT"] = self.next_points.pop(name)
            if self.chaos.stack.restart_dead_children():
                self.restarted.set()
            await asyncio.sleep(0.2)

    async def arm(self, name: str, point: str) -> None:
        """Restart a child with one crash point armed for its next life only."""
        target = self.child(name)
        self.next_points[name] = point
        self.restarted.clear()
        os.kill(target.process.pid, signal.SIGTERM)
        await asyncio.to_thread(target.process.wait)
        await asyncio.wait_for(self.restarted.wait(), timeout=30)
        await asyncio.to_thread(self.chaos.stack._wait_ready, [target], 60)


@asynccontextmanager
async def watchdog(chaos: Any, disarm: set[str]) -> AsyncIterator[Watchdog]:
    dog = Watchdog(chaos, disarm)
    task = asyncio.create_task(dog.loop())
    try:
        yield dog
    finally:
        task.cancel()


class ClaimFlow:
    """Drives claims through the API, checking each crashed command's retry."""

    def __init__(self, chaos: Any, crash: str, dog: Watchdog) -> None:
        self.chaos = chaos
        self.crash = crash  # "warranty" or "gateway"
        self.dog = dog
        self.checked: list[dict[str, Any]] = []
        self.agent_headers = {"Authorization": f"Bearer {chaos.token('agent-1', 'agent')}"}

    def client(self, subject: str, role: str = "customer") -> httpx.AsyncClient:
        token = self.chaos.token(subject, role)
        return httpx.AsyncClient(base_url=self.chaos.api, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    async def command(
        self, subject: str, who: httpx.AsyncClient, caller: str, path: str, body: Any = None
    ) -> dict[str, Any]:
        if self.crash == "gateway":
            await self.dog.arm("gateway", f"rpc_client.after_reply:{subject}")
        outcome = await call_until_final(who, "POST", path, body)
        assert 200 <= outcome.status < 300, (subject, outcome.status, outcome.body)
        assert outcome.attempts > 1, f"{subject}: nothing crashed, the window was not hit"
        again = await who.post(path, json=body, headers={"Idempotency-Key": outcome.key})
        assert (again.status_code, again.content) == (outcome.status, outcome.raw), subject
        recorded = stored_reply(self.chaos.database("warranty"), subject,
                                kv_key_for(caller, outcome.key))  # fmt: skip
        assert recorded is not None, f"{subject}: the service recorded no reply"
        assert same_fields(outcome.body, recorded) == [], subject
        await self.applied_once(outcome.body["id"], outcome.body["status"], subject)
        self.checked.append({"op": subject, "attempts": outcome.attempts,
                             "seconds": round(outcome.seconds, 1)})  # fmt: skip
        return dict(outcome.body)

    async def applied_once(self, claim_id: str, status: str, subject: str) -> None:
        async with httpx.AsyncClient(base_url=self.chaos.api, headers=self.agent_headers) as a:
            timeline = (await a.get(f"/v1/claims/{claim_id}/timeline")).json()["entries"]
        into = [e for e in timeline if e["to_status"] == status]
        assert len(into) == 1, f"{subject}: {status} recorded {len(into)} times: {timeline}"

    async def run(self) -> None:
        serial = uuid.uuid4().int % 90000
        shared_label, other_label = story1_label(serial), story1_label(serial + 1)
        claim_body = {"region": "UK", "components": ["stitching"]}
        centre = self.client("agent-1", "agent")
        a, b = self.client("cust-a"), self.client("cust-b")
        async with centre, a, b:
            first = await self.command(S.OPEN_CLAIM, a, "customer:cust-a", "/v1/claims",
                                       claim_body | {"label_code": shared_label})  # fmt: skip
            await self.command(S.CANCEL_CLAIM, a, "customer:cust-a",
                               f"/v1/claims/{first['id']}/cancel", {})  # fmt: skip
            # Another customer's claim on the same label is held for an agent's review.
            flagged = await self.command(S.OPEN_CLAIM, b, "customer:cust-b", "/v1/claims",
                                         claim_body | {"label_code": shared_label})  # fmt: skip
            steps: list[tuple[str, str, Any]] = [
                (S.DECIDE_CLAIM, "decision", {"approve": True, "reason": "Gift; confirmed."}),
                (S.RECORD_RECEIPT, "receipt", None),
                (S.START_INSPECTION, "inspection", None),
                (S.START_REPAIR, "repair", None),
                (S.RECORD_SHIPMENT, "shipment", {"carrier": "UPS", "tracking_number": "1Z999"}),
                (S.RECORD_DELIVERY, "delivery", None),
            ]
            for subject, action, body in steps:
                await self.command(subject, centre, "agent:agent-1",
                                   f"/v1/claims/{flagged['id']}/{action}", body)  # fmt: skip
            credit = await self.command(S.OPEN_CLAIM, a, "customer:cust-a", "/v1/claims",
                                        claim_body | {"label_code": other_label})  # fmt: skip
            for subject, action, body in [
                (S.RECORD_RECEIPT, "receipt", None),
                (S.START_INSPECTION, "inspection", None),
                (
                    S.START_REPLACEMENT,
                    "replacement",
                    {"store_credit": True, "credit_amount": "231.01"},
                ),
            ]:
                await self.command(subject, centre, "agent:agent-1",
                                   f"/v1/claims/{credit['id']}/{action}", body)  # fmt: skip


@pytest.mark.timeout(600)
async def test_claim_commands_survive_a_service_crash_after_commit(
    chaos_stack_factory: Any,
) -> None:
    points = ",".join(f"rpc.after_commit:{s}" for s in COMMANDS)
    chaos = chaos_stack_factory(crash_at={"warranty": points}, extra_env=FAST)
    async with watchdog(chaos, disarm=set()) as dog:  # every command crashes warranty once
        flow = ClaimFlow(chaos, "warranty", dog)
        await flow.run()
    print("\nclaim commands, warranty killed after commit:", flow.checked)


@pytest.mark.timeout(600)
async def test_claim_commands_survive_a_gateway_crash_before_the_reply(
    chaos_stack_factory: Any,
) -> None:
    chaos = chaos_stack_factory(extra_env=FAST)
    async with watchdog(chaos, disarm={"gateway"}) as dog:
        flow = ClaimFlow(chaos, "gateway", dog)
        await flow.run()
    print("\nclaim commands, gateway killed before the reply:", flow.checked)
    slowest = max(c["seconds"] for c in flow.checked)
    assert slowest <= 10.0, f"a retry after a gateway crash waited {slowest}s: {flow.checked}"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("crash", ["warranty", "gateway"])
async def test_receipt_retry_gets_the_original_success(
    chaos_stack_factory: Any, crash: str
) -> None:
    """The case the chaos run found: 409 `claim_invalid_transition` for a recorded receipt."""
    armed = {"warranty": f"rpc.after_commit:{S.RECORD_RECEIPT}"} if crash == "warranty" else None
    chaos = chaos_stack_factory(crash_at=armed, extra_env=FAST)
    async with watchdog(chaos, disarm={"gateway"}) as dog:
        flow = ClaimFlow(chaos, crash, dog)
        async with flow.client("cust-r") as me, flow.client("agent-1", "agent") as centre:
            body = {"region": "UK", "components": ["stitching"],
                    "label_code": story1_label(uuid.uuid4().int % 90000)}  # fmt: skip
            opened = await me.post("/v1/claims", json=body)
            assert opened.status_code == 201, opened.text
            received = await flow.command(S.RECORD_RECEIPT, centre, "agent:agent-1",
                                          f"/v1/claims/{opened.json()['id']}/receipt")  # fmt: skip
    assert received["status"] == "received"
    print(f"\nreceipt, {crash} killed:", flow.checked)
    if crash == "gateway":
        assert flow.checked[0]["seconds"] <= 10.0, flow.checked
