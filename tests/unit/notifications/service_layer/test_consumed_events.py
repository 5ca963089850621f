"""The order events delivered to notifications follow the webhook endpoints: registering one
widens the filter inside its transaction (a filter that cannot be set registers nothing);
deleting one narrows it after the commit (a filter that cannot be set then fails nothing)."""

from __future__ import annotations

import pytest

from services.notifications.domain.consumed_events import order_events_wanted
from services.notifications.entrypoints.rpc import WebhookRpc
from shared.contracts import notifications as c
from shared.contracts.registry import load_all
from tests.support.notifications.cases import PARTNER, RecordedFilter, public, use_cases

PAID = "orders.order.payment_authorized"
BARE = order_events_wanted(load_all(), [])


def hooks(uow, event_filter: RecordedFilter) -> WebhookRpc:
    return WebhookRpc(use_cases(uow, resolver=public, event_filter=event_filter))


async def register(service: WebhookRpc, *types: str) -> str:
    request = c.CreateWebhookRequest(url="https://8.8.8.8/hook", event_types=list(types))
    return (await service.create(request, PARTNER)).id


async def test_following_with_no_endpoint_asks_only_for_what_causes_a_message(uow):
    recorded = RecordedFilter()
    await hooks(uow, recorded).cases.consumed.follow()
    assert recorded.now == BARE


async def test_registering_widens_and_deleting_narrows(uow):
    recorded = RecordedFilter()
    service = hooks(uow, recorded)
    endpoint = await register(service, PAID)
    assert PAID in recorded.now and set(BARE) <= set(recorded.now)
    await service.delete(c.WebhookRef(endpoint_id=endpoint), PARTNER)
    assert recorded.now == BARE


async def test_a_filter_that_cannot_be_widened_registers_nothing(uow):
    recorded = RecordedFilter()
    service = hooks(uow, recorded)
    recorded.fails = TimeoutError("JetStream did not answer")
    with pytest.raises(TimeoutError):
        await register(service, PAID)
    recorded.fails = None
    listed = await service.list(None, PARTNER)
    assert listed.endpoints == []


async def test_a_filter_that_cannot_be_narrowed_still_deletes(uow):
    recorded = RecordedFilter()
    service = hooks(uow, recorded)
    endpoint = await register(service, PAID)
    recorded.fails = TimeoutError("JetStream did not answer")
    await service.delete(c.WebhookRef(endpoint_id=endpoint), PARTNER)
    recorded.fails = None
    assert (await service.list(None, PARTNER)).endpoints == []
    assert PAID in recorded.now  # left wider than needed: deliveries wasted, no event lost
    await service.cases.consumed.follow()  # the next bind narrows it
    assert recorded.now == BARE


async def test_another_partners_subscription_keeps_its_types(uow):
    recorded = RecordedFilter()
    service = hooks(uow, recorded)
    kept = await register(service, "orders.order.*")
    gone = await register(service, PAID)
    await service.delete(c.WebhookRef(endpoint_id=gone), PARTNER)
    assert PAID in recorded.now
    await service.delete(c.WebhookRef(endpoint_id=kept), PARTNER)
    assert recorded.now == BARE
