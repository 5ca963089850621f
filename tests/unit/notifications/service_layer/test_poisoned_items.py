"""A poisoned item never stops a notifications worker: it is parked with a reason, the rest go on.

A stored item the worker cannot handle (a webhook URL with control characters, stored before
registration refused them; a message row that breaks the worker) is dead-lettered or failed with
its reason, once, and every other item is still delivered.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from services.notifications.adapters.ssrf import TargetPolicy
from services.notifications.adapters.tables import deliveries, webhook_deliveries, webhook_endpoints
from services.notifications.adapters.webhook_sender import WebhookSender
from services.notifications.domain.ports import SendResult
from services.notifications.entrypoints.rpc import WebhookRpc
from services.notifications.service_layer import message_delivery as delivery_module
from tests.support.notifications.cases import (
    NOW,
    PARTNER,
    POISONED_URLS,
    SHORT,
    RecordingEmail,
    SteppingClock,
    fan_out,
    plan_one_email,
    public,
    rows,
    webhook_rpc,
    webhook_worker,
    worker,
)


async def two_endpoints(uow, clock, bad_url: str) -> WebhookRpc:
    """A good endpoint, and one whose URL was stored before registration checked it."""
    hooks = webhook_rpc(uow, clock)
    from shared.contracts import notifications as c

    for url in ("https://good.example/h", "https://bad.example/h"):
        await hooks.create(c.CreateWebhookRequest(url=url, event_types=["*"]), PARTNER)
    async with uow() as tx:
        await tx.session.execute(
            sa.update(webhook_endpoints)
            .where(webhook_endpoints.c.url == "https://bad.example/h")
            .values(url=bad_url)
        )
    return hooks


async def outcomes(uow) -> dict[str, tuple[str, str | None]]:
    async with uow.db.read() as session:
        joined = webhook_deliveries.join(
            webhook_endpoints, webhook_deliveries.c.endpoint_id == webhook_endpoints.c.id
        )
        found = await session.execute(
            sa.select(
                webhook_endpoints.c.url,
                webhook_deliveries.c.status,
                webhook_deliveries.c.last_error,
            ).select_from(joined)
        )
        return {r.url: (r.status, r.last_error) for r in found}


@pytest.mark.parametrize("bad_url", POISONED_URLS)
async def test_an_unsendable_url_is_dead_lettered_and_the_worker_carries_on(uow, bad_url):
    """An unsendable stored URL is dead-lettered at once; the other endpoint still gets its
    delivery."""
    clock = SteppingClock()
    hooks = await two_endpoints(uow, clock, bad_url)
    await fan_out(uow, hooks)
    seen: list[str] = []

    def partner(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200)

    client = httpx.AsyncClient(transport=httpx.MockTransport(partner))
    sender = WebhookSender(policy=TargetPolicy(), client=client, resolver=public)
    hook_worker = webhook_worker(uow, sender, SHORT, clock=clock)
    assert await hook_worker.run_once() == 2
    assert await outcomes(uow) == {
        "https://good.example/h": ("delivered", None),
        bad_url: ("dead_letter", "invalid_url"),  # at once: no retry can fix it
    }
    assert seen == ["https://good.example/h"]
    await client.aclose()


class CrashingSender:
    """A sender adapter with a bug that only one endpoint triggers."""

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
        if "bad" in url:
            raise RuntimeError("adapter bug")
        return SendResult(200)


async def test_a_delivery_that_crashes_the_worker_is_parked_with_its_reason(uow):
    """A delivery that crashes the worker is parked with the reason, and not retried by
    itself."""
    clock = SteppingClock()
    hooks = await two_endpoints(uow, clock, "https://bad.example/h2")
    await fan_out(uow, hooks)
    hook_worker = webhook_worker(uow, CrashingSender(), SHORT, clock=clock)
    assert await hook_worker.run_once() == 2
    assert await outcomes(uow) == {
        "https://good.example/h": ("delivered", None),
        "https://bad.example/h2": ("dead_letter", "internal_error:RuntimeError"),
    }
    clock.advance(3600)
    assert await hook_worker.run_once() == 0  # parked: not tried again by itself


async def test_a_message_that_crashes_the_delivery_worker_is_parked_and_others_are_sent(
    uow, monkeypatch
):
    """A message that crashes the delivery worker fails with the reason; the others are
    sent."""
    await plan_one_email(uow)
    await plan_one_email(uow)  # a second claim event: a second email
    emails = [r for r in await rows(uow, deliveries) if r.channel == "email"]
    assert len(emails) == 2
    poisoned = emails[0].id
    real_outbound = delivery_module.outbound

    def outbound(row):
        if row.id == poisoned:
            raise KeyError("a corrupt row")
        return real_outbound(row)

    monkeypatch.setattr(delivery_module, "outbound", outbound)
    email = RecordingEmail()
    assert await worker(uow, email).run_once() >= 2
    states = {r.id: (r.status, r.last_error) for r in await rows(uow, deliveries)}
    assert states[poisoned] == ("failed", "internal_error:KeyError")
    assert states[emails[1].id] == ("sent", None)
    assert len(email.sent) == 1
    assert await worker(uow, email, at=NOW + timedelta(days=1)).run_once() == 0
