"""Issue 18: settling a held message, retried across a crash between the commit and the reply.

A message is held (status `uncertain`) when the notifications process died right after the SMTP
server accepted it (`notifications.after_send`): whether it went out is unknown to the service.
An agent settles it (`POST /v1/messages/held/{id}/resolve`, outcome `sent`), and then either
- notifications dies right after committing the settlement (`rpc.after_commit:<subject>`), or
- the gateway dies once it has the service's reply (`rpc_client.after_reply:<subject>`).
The agent's client retries with the same Idempotency-Key and body and must get a 2xx with the
settled message, the same bytes again, the reply the service recorded for its first attempt
(tests/chaos/retrying.py), and the mail must have gone out exactly once.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from shared.contracts import notifications as n
from tests.chaos.retrying import CrashWindow, call_until_final, crash_window
from tests.support.labels import story1_label

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]

FAST = {"GATEWAY_RPC_TIMEOUT_SECONDS": "3"}
AGENT = "agent-held"


async def hold_a_message(w: CrashWindow, customer: str) -> dict[str, Any]:
    """A claim's confirmation mail to `customer`, handed to SMTP by a process that then died."""
    address = f"{customer}@example.com"
    await w.dog.arm("notifications", "notifications.after_send")  # this life only
    async with w.client(customer) as me:
        r = await me.put("/v1/me/contact", json={"name": "Grace", "email": address})
        assert r.status_code == 200, r.text
        r = await me.post("/v1/claims", json={"region": "UK", "components": ["stitching"],
                                              "label_code": story1_label(uuid.uuid4().int % 90000)})  # fmt: skip
        assert r.status_code == 201, r.text
    async with w.client(AGENT, "agent") as agent:
        for _ in range(300):
            r = await agent.get("/v1/messages/held")  # 503 while notifications restarts
            items = r.json()["items"] if r.status_code == 200 else []
            mine = [m for m in items if m["customer_id"] == customer]
            if mine:
                return dict(mine[0])
            await asyncio.sleep(0.3)
    raise AssertionError(f"no held message for {customer}: {r.status_code} {r.text[:500]}")


def copies_of(w: CrashWindow, message_id: str) -> int:
    """Emails the SMTP sink received for one message (its Message-ID derives from its id)."""
    wanted = f"<{message_id}@notifications.concierge.local>"
    return sum(1 for m in w.chaos.mail.messages if str(m["Message-ID"]).strip() == wanted)


async def settle(w: CrashWindow, customer: str) -> None:
    held = await hold_a_message(w, customer)
    if w.crash == "service":  # the settlement's commit kills notifications once
        subject = f"rpc.after_commit:{n.Subjects.RESOLVE_HELD_MESSAGE}"
        await w.dog.arm("notifications", subject)
    async with w.client(AGENT, "agent") as agent:
        outcome = await w.command("notifications", n.Subjects.RESOLVE_HELD_MESSAGE, agent,
                                  f"agent:{AGENT}", "POST",
                                  f"/v1/messages/held/{held['message_id']}/resolve",
                                  {"outcome": "sent"})  # fmt: skip
        assert outcome.body["message_id"] == held["message_id"]
        assert outcome.body["status"] != "uncertain", outcome.body
        await asyncio.sleep(3.0)  # a few delivery passes: nothing is sent again
        # Through any live replica: a killed gateway may still be restarting.
        listed = await call_until_final(agent, "GET", "/v1/messages/held", apis=w.apis or None)
        still = listed.body["items"]
    assert [m for m in still if m["message_id"] == held["message_id"]] == []
    assert copies_of(w, held["message_id"]) == 1  # the first hand-over, never resent


@pytest.mark.timeout(600)
@pytest.mark.parametrize("crash", ["service", "gateway"])
async def test_settling_a_held_message_survives_a_crash_after_commit(
    chaos_stack_factory: Any, crash: str
) -> None:
    chaos = chaos_stack_factory(extra_env=FAST)
    async with crash_window(chaos, crash, disarm=frozenset({"notifications"})) as window:
        await settle(window, f"cust-held-{crash}")
    print(f"\nheld message settled, {crash} killed:", window.checked)
    if crash == "gateway":
        assert window.slowest() <= 10.0, window.checked
