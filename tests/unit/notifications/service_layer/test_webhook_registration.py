"""What webhook registration refuses, at the gateway's model and again in the service:
unsendable URLs, http in production, unknown event types, too many endpoints; and a replay that
names no target is malformed input (422), not "not found"."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.notifications.entrypoints.rpc import WebhookRpc
from services.notifications.settings import Settings
from shared.contracts import notifications as c
from shared.errors import DomainError, ErrorKind
from tests.support.notifications.cases import BOX_KEYS, PARTNER, POISONED_URLS, webhook_rpc


def hooks(uow, **settings) -> WebhookRpc:
    return webhook_rpc(uow, **settings)


async def refused(service: WebhookRpc, url: str, event_types: list[str]) -> DomainError:
    # model_construct: what an RPC caller that skipped the gateway's model could send
    request = c.CreateWebhookRequest.model_construct(url=url, event_types=event_types)
    with pytest.raises(DomainError) as exc:
        await service.create(request, PARTNER)
    return exc.value


@pytest.mark.parametrize("url", [*POISONED_URLS, "https://8.8.8.8/a b", "https://8.8.8.8/\u200bx"])
async def test_urls_with_control_characters_are_refused_by_the_model_and_the_service(uow, url):
    """A URL with control characters is refused by the contract model and again by the
    service."""
    with pytest.raises(ValidationError) as exc:
        c.CreateWebhookRequest(url=url, event_types=["*"])
    assert exc.value.errors()[0]["type"] == "webhooks_url_invalid"
    error = await refused(hooks(uow), url, ["*"])
    assert (error.code, error.kind) == ("webhooks_url_invalid", ErrorKind.INVALID)


async def test_the_gateway_answers_422_for_a_url_with_control_characters(env):
    """The gateway answers 422 for such a URL and never calls the service."""
    app, client = env
    headers = await app.partner(["webhooks.manage"])
    body = {"url": "https://8.8.8.8/hook\r\nX: y", "event_types": ["warranty.claim.delivered"]}
    r = await client.post("/v1/webhooks", json=body, headers=headers)
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "validation_error"
    assert [e["type"] for e in problem["errors"]] == ["webhooks_url_invalid"]
    assert c.Subjects.CREATE_WEBHOOK not in [call["subject"] for call in app.rpc.calls]


def test_production_requires_https_targets():
    """In production, webhook targets must be https."""
    assert Settings(env="local").target_policy.require_https is False
    production = Settings(env="production", webhook_secret_keys=BOX_KEYS[0])
    assert production.target_policy.require_https is True


async def test_http_targets_are_refused_where_https_is_required(uow):
    """Where https is required, an http target is refused with a stable code."""
    strict = hooks(uow, webhook_require_https=True)
    error = await refused(strict, "http://partner.example/h", ["*"])
    assert (error.code, error.kind) == ("webhooks_https_required", ErrorKind.INVALID)
    created = await strict.create(
        c.CreateWebhookRequest(url="https://partner.example/h", event_types=["*"]), PARTNER
    )
    assert created.url == "https://partner.example/h"


@pytest.mark.parametrize(
    "event_types",
    [["warranty.claim.nonexistent"], ["warranty.claim.approved", "nope.*"], ["orders.nothing.*"]],
)
async def test_event_types_that_select_no_registered_event_are_refused(uow, event_types):
    """An event type filter must select at least one registered partner event."""
    error = await refused(hooks(uow), "https://partner.example/h", event_types)
    assert (error.code, error.kind) == ("webhooks_unknown_event_type", ErrorKind.INVALID)


@pytest.mark.parametrize("event_types", [["*"], ["warranty.claim.*"], ["orders.order.shipped"]])
async def test_known_event_types_and_wildcards_are_accepted(uow, event_types):
    """Registered event types and wildcards over them are accepted as given."""
    request = c.CreateWebhookRequest(url="https://partner.example/h", event_types=event_types)
    assert (await hooks(uow).create(request, PARTNER)).event_types == event_types


async def test_a_partner_has_at_most_the_documented_number_of_endpoints(uow):
    """A partner has at most the configured number of live endpoints; deleting one makes
    room."""
    capped = hooks(uow, webhook_max_endpoints_per_partner=2)
    request = c.CreateWebhookRequest(url="https://partner.example/h", event_types=["*"])
    first = await capped.create(request, PARTNER)
    await capped.create(request, PARTNER)
    with pytest.raises(DomainError) as exc:
        await capped.create(request, PARTNER)
    assert (exc.value.code, exc.value.kind) == (
        "webhooks_endpoint_limit_reached",
        ErrorKind.CONFLICT,
    )
    await capped.delete(c.WebhookRef(endpoint_id=first.id), PARTNER)  # room again
    await capped.create(request, PARTNER)


def test_the_default_cap_is_the_documented_one():
    """The default cap on endpoints per partner is the documented 20."""
    assert Settings().webhook_max_endpoints_per_partner == 20


async def test_a_replay_with_no_target_is_malformed_input(uow):
    """A replay naming neither a delivery nor a time range is malformed input."""
    service = hooks(uow)
    created = await service.create(
        c.CreateWebhookRequest(url="https://partner.example/h", event_types=["*"]), PARTNER
    )
    with pytest.raises(DomainError) as exc:
        await service.replay(c.ReplayWebhookRequest(endpoint_id=created.id), PARTNER)
    assert (exc.value.code, exc.value.kind) == ("webhooks_replay_needs_target", ErrorKind.INVALID)


async def test_an_agent_registers_an_endpoint_for_a_partner_key(uow):
    """Named by the agent, the endpoint is the partner key's: that key lists it and may delete
    it, and it counts against that key's limit; without a name it stays the agent's own. A
    partner naming another key is refused."""
    from shared.actor import Actor

    agent = Actor(type="agent", id="agent-ops")
    service = hooks(uow)
    body = {"url": "https://8.8.8.8/hooks", "event_types": ["warranty.claim.*"]}
    made = await service.create(c.CreateWebhookRequest(**body, partner_key_id=PARTNER.id), agent)
    assert made.owner == PARTNER.id
    assert [e.id for e in (await service.list(None, PARTNER)).endpoints] == [made.id]
    own = await service.create(c.CreateWebhookRequest(**body), agent)
    assert own.owner == "agent-ops"
    assert own.id not in [e.id for e in (await service.list(None, PARTNER)).endpoints]
    with pytest.raises(DomainError) as exc:
        await service.create(c.CreateWebhookRequest(**body, partner_key_id="other-key"), PARTNER)
    assert exc.value.kind == ErrorKind.FORBIDDEN
    await service.delete(c.WebhookRef(endpoint_id=made.id), PARTNER)


async def test_endpoints_an_agent_registers_for_a_partner_count_against_the_partners_limit(uow):
    from shared.actor import Actor

    capped = hooks(uow, webhook_max_endpoints_per_partner=2)
    agent = Actor(type="agent", id="agent-ops")
    body = {"url": "https://partner.example/h", "event_types": ["*"]}
    await capped.create(c.CreateWebhookRequest(**body), PARTNER)
    await capped.create(c.CreateWebhookRequest(**body, partner_key_id=PARTNER.id), agent)
    with pytest.raises(DomainError) as exc:  # the partner's third, though the agent has none
        await capped.create(c.CreateWebhookRequest(**body, partner_key_id=PARTNER.id), agent)
    assert exc.value.code == "webhooks_endpoint_limit_reached"
    await capped.create(c.CreateWebhookRequest(**body), agent)  # the agent's own: room
