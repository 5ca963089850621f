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

import uuid
from typing import Any

import httpx
import pytest

from shared.contracts.warranty import Subjects as S
from tests.chaos.retrying import CrashWindow, crash_window
from tests.support.labels import story1_label

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]

FAST = {"GATEWAY_RPC_TIMEOUT_SECONDS": "3"}  # a dead service is noticed sooner
COMMANDS = (S.OPEN_CLAIM, S.CANCEL_CLAIM, S.DECIDE_CLAIM, S.RECORD_RECEIPT, S.START_INSPECTION,
            S.START_REPAIR, S.START_REPLACEMENT, S.RECORD_SHIPMENT, S.RECORD_DELIVERY)  # fmt: skip


class ClaimFlow:
    """Drives claims through the API; every command crashes once (see the module docstring)."""

    def __init__(self, window: CrashWindow) -> None:
        self.window = window
        self.client = window.client
        self.agent_headers = {"Authorization": f"Bearer {window.chaos.token('agent-1', 'agent')}"}

    async def command(
        self, subject: str, who: httpx.AsyncClient, caller: str, path: str, body: Any = None
    ) -> dict[str, Any]:
        outcome = await self.window.command("warranty", subject, who, caller, "POST", path, body)
        await self.applied_once(outcome.body["id"], outcome.body["status"], subject)
        return dict(outcome.body)

    async def applied_once(self, claim_id: str, status: str, subject: str) -> None:
        api = self.window.apis[-1] if self.window.apis else self.window.chaos.api  # never killed
        async with httpx.AsyncClient(base_url=api, headers=self.agent_headers) as a:
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
    async with crash_window(chaos, "warranty") as window:  # every command crashes warranty once
        flow = ClaimFlow(window)
        await flow.run()
    print("\nclaim commands, warranty killed after commit:", flow.window.checked)


@pytest.mark.timeout(600)
async def test_claim_commands_survive_a_gateway_crash_before_the_reply(
    chaos_stack_factory: Any,
) -> None:
    chaos = chaos_stack_factory(extra_env=FAST)
    async with crash_window(chaos, "gateway") as window:
        flow = ClaimFlow(window)
        await flow.run()
    print("\nclaim commands, gateway killed before the reply:", flow.window.checked)
    slowest = max(c["seconds"] for c in flow.window.checked)
    assert slowest <= 10.0, (
        f"a retry after a gateway crash waited {slowest}s: {flow.window.checked}"
    )


@pytest.mark.timeout(300)
@pytest.mark.parametrize("crash", ["warranty", "gateway"])
async def test_receipt_retry_gets_the_original_success(
    chaos_stack_factory: Any, crash: str
) -> None:
    """The case the chaos run found: 409 `claim_invalid_transition` for a recorded receipt."""
    armed = {"warranty": f"rpc.after_commit:{S.RECORD_RECEIPT}"} if crash == "warranty" else None
    chaos = chaos_stack_factory(crash_at=armed, extra_env=FAST)
    async with crash_window(chaos, crash) as window:
        flow = ClaimFlow(window)
        async with flow.client("cust-r") as me, flow.client("agent-1", "agent") as centre:
            body = {"region": "UK", "components": ["stitching"],
                    "label_code": story1_label(uuid.uuid4().int % 90000)}  # fmt: skip
            opened = await me.post("/v1/claims", json=body)
            assert opened.status_code == 201, opened.text
            received = await flow.command(S.RECORD_RECEIPT, centre, "agent:agent-1",
                                          f"/v1/claims/{opened.json()['id']}/receipt")  # fmt: skip
    assert received["status"] == "received"
    print(f"\nreceipt, {crash} killed:", flow.window.checked)
    if crash == "gateway":
        assert flow.window.checked[0]["seconds"] <= 10.0, flow.window.checked
