"""Issue 18: orders and notifications commands retried across a crash after the commit.

Same protocol as test_retry_claims.py: the owning service dies right after committing
(`rpc.after_commit:<subject>`), or the gateway dies once it has the service's reply
(`rpc_client.after_reply:<subject>`); the client retries with the same Idempotency-Key and body
and must get a 2xx, the same answer again, the reply the service recorded for its first attempt,
and the effect once: quote, order, order cancel, waitlist, contact (PUT), preferences (PUT),
webhook create, secret rotation, delivery replay and delete (DELETE).
The other operation classes of issue 18 have their own modules: claim transitions, decisions
and cancels in test_retry_claims.py, settling a held message in test_retry_held_messages.py.
Marking an inbox item read is idempotent by design; its service-kill retry is tested in
tests/integration/notifications/test_crash_commands.py.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.contracts import notifications as n
from shared.contracts import orders as o
from tests.chaos.collect import query
from tests.chaos.retrying import CrashWindow, crash_window

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]

ENV = {
    "GATEWAY_RPC_TIMEOUT_SECONDS": "3",
    # The parcel stays at the warehouse, so the order can still be cancelled after a restart.
    "ORDERS_CARRIER_IN_TRANSIT_AFTER": "600",
    "ORDERS_CARRIER_DELIVERED_AFTER": "1200",
}
ORDERS = (
    o.Subjects.QUOTE,
    o.Subjects.PLACE_ORDER,
    o.Subjects.CANCEL_ORDER,
    o.Subjects.JOIN_WAITLIST,
)
NOTIFICATIONS = (n.Subjects.PUT_CONTACT, n.Subjects.PUT_PREFERENCES, n.Subjects.CREATE_WEBHOOK,
                 n.Subjects.ROTATE_WEBHOOK_SECRET, n.Subjects.REPLAY_WEBHOOK, n.Subjects.DELETE_WEBHOOK)  # fmt: skip


def count(chaos: Any, service: str, sql: str) -> int:
    return int(query(chaos.database(service), sql)[0]["n"])


async def run_orders(w: CrashWindow, customer: str) -> None:
    caller = f"customer:{customer}"
    async with w.client(customer) as me:
        quote = (await w.command("orders", o.Subjects.QUOTE, me, caller, "POST", "/v1/quotes",
                                 {"style": "TC11", "region": "UK"})).body  # fmt: skip
        order = (await w.command("orders", o.Subjects.PLACE_ORDER, me, caller, "POST", "/v1/orders",
                                 {"quote_id": quote["quote_id"], "payment_token": "tok_ok"})).body  # fmt: skip
        cancelled = (await w.command("orders", o.Subjects.CANCEL_ORDER, me, caller, "POST",
                                     f"/v1/orders/{order['order_id']}/cancel")).body  # fmt: skip
        assert cancelled["order_id"] == order["order_id"]
        assert cancelled["status"] in ("cancelling", "cancelled"), cancelled
        await w.command("orders", o.Subjects.JOIN_WAITLIST, me, caller, "POST", "/v1/waitlist",
                        {"style": "TC11", "region": "EU"})  # fmt: skip
    mine = f"customer_id = '{customer}'"
    assert count(w.chaos, "orders", f"SELECT count(*) AS n FROM quotes WHERE {mine}") == 1
    assert count(w.chaos, "orders", f"SELECT count(*) AS n FROM orders WHERE {mine}") == 1
    assert count(w.chaos, "orders", f"SELECT count(*) AS n FROM waitlist WHERE {mine}") == 1


async def subscribe_partner(w: CrashWindow, customer: str) -> dict[str, Any]:
    """Contact details, preferences, and a webhook endpoint for the orders' events."""
    caller = f"customer:{customer}"
    async with w.client(customer) as me:
        await w.command("notifications", n.Subjects.PUT_CONTACT, me, caller, "PUT", "/v1/me/contact",
                        {"name": "Margaret", "email": f"{customer}@example.com"})  # fmt: skip
        await w.command("notifications", n.Subjects.PUT_PREFERENCES, me, caller, "PUT",
                        "/v1/me/preferences", {"transactional": ["email", "in_app"]})  # fmt: skip
    async with w.client("agent-hooks", "agent") as agent:
        hook = (await w.command("notifications", n.Subjects.CREATE_WEBHOOK, agent, "agent:agent-hooks",
                                "POST", "/v1/webhooks",
                                {"url": w.chaos.partner.url, "event_types": ["orders.order.*"]})).body  # fmt: skip
    assert hook["secret"].startswith("whsec_")
    return dict(hook)


async def manage_webhook(w: CrashWindow, hook: dict[str, Any]) -> None:
    """Rotate the secret, replay what was delivered, delete the endpoint."""
    finished = f"SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = '{hook['id']}' "
    for _ in range(150):  # the orders' events reach the partner within seconds
        if count(w.chaos, "notifications", finished + "AND status = 'delivered'"):
            break
        await asyncio.sleep(0.2)
    path = f"/v1/webhooks/{hook['id']}"
    async with w.client("agent-hooks", "agent") as agent:
        rotated = (await w.command("notifications", n.Subjects.ROTATE_WEBHOOK_SECRET, agent,
                                   "agent:agent-hooks", "POST", f"{path}/rotate-secret")).body  # fmt: skip
        assert rotated["secret"] != hook["secret"]
        since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        replayed = (await w.command("notifications", n.Subjects.REPLAY_WEBHOOK, agent,
                                    "agent:agent-hooks", "POST", f"{path}/replay",
                                    {"since": since})).body  # fmt: skip
        assert replayed["replayed"], replayed
        await w.command("notifications", n.Subjects.DELETE_WEBHOOK, agent, "agent:agent-hooks",
                        "DELETE", path)  # fmt: skip
    url = w.chaos.partner.url
    hooks = count(w.chaos, "notifications",
                  f"SELECT count(*) AS n FROM webhook_endpoints WHERE url = '{url}'")  # fmt: skip
    assert hooks == 1
    secrets = count(w.chaos, "notifications", "SELECT count(*) AS n FROM webhook_secrets "
                    f"WHERE endpoint_id = '{hook['id']}'")  # fmt: skip
    assert secrets == 2  # the first and the rotated one: rotated once


async def run_all(w: CrashWindow, customer: str) -> None:
    hook = await subscribe_partner(w, customer)
    await run_orders(w, customer)
    await manage_webhook(w, hook)


@pytest.mark.timeout(600)
async def test_orders_and_notifications_survive_a_service_crash_after_commit(
    chaos_stack_factory: Any,
) -> None:
    armed = {"orders": ",".join(f"rpc.after_commit:{s}" for s in ORDERS),
             "notifications": ",".join(f"rpc.after_commit:{s}" for s in NOTIFICATIONS)}  # fmt: skip
    chaos = chaos_stack_factory(crash_at=armed, extra_env=ENV)
    async with crash_window(chaos, "service") as window:  # each command crashes its service
        await run_all(window, "cust-svc")
    print("\norders and notifications, service killed after commit:", window.checked)


@pytest.mark.timeout(600)
async def test_orders_and_notifications_survive_a_gateway_crash_before_the_reply(
    chaos_stack_factory: Any,
) -> None:
    chaos = chaos_stack_factory(extra_env=ENV)
    async with crash_window(chaos, "gateway") as window:
        await run_all(window, "cust-gw")
    print("\norders and notifications, gateway killed before the reply:", window.checked)
    assert window.slowest() <= 10.0, window.checked
