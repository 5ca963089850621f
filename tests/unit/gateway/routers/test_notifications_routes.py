"""The gateway's notifications routes on fakes (no NATS): auth, ownership, shapes, no leaks."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from services.gateway import limits as routes_limits
from shared.contracts import notifications as c
from shared.errors import DomainError, ErrorKind
from tests.support.notifications.gateway import App, gateway_env

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


@pytest.fixture
async def env() -> AsyncIterator[tuple[App, httpx.AsyncClient]]:
    async with gateway_env() as built:
        yield built


def contact_reply(payload, actor):
    return {"customer_id": payload.customer_id, **payload.model_dump(exclude={"customer_id"}),
            "time_zone": "Europe/London", "updated_at": NOW.isoformat()}  # fmt: skip


async def test_put_contact_uses_the_callers_id(env):
    """A customer's contact is stored under the caller's own id."""
    app, client = env
    app.rpc.handlers[c.Subjects.PUT_CONTACT] = contact_reply
    body = {"name": "Margaret", "email": "m@example.co.uk", "locale": "en-GB"}
    r = await client.put("/v1/me/contact", json=body, headers=app.auth("cust-1"))
    assert r.status_code == 200, r.text
    assert r.json()["customer_id"] == "cust-1"
    call = app.rpc.calls[-1]
    assert call["actor"].id == "cust-1" and call["payload"].customer_id == "cust-1"


async def test_put_contact_refuses_unknown_fields(env):
    """Unknown fields in a contact are refused at the gateway."""
    app, client = env
    r = await client.put("/v1/me/contact", json={"name": "x", "is_admin": True},
                         headers=app.auth())  # fmt: skip
    assert r.status_code == 422


async def test_customer_cannot_read_another_customers_inbox(env):
    """A customer cannot read another customer's inbox."""
    app, client = env
    r = await client.get("/v1/me/notifications?customer_id=cust-2", headers=app.auth("cust-1"))
    assert r.status_code == 404
    assert app.rpc.calls == []


async def test_inbox_is_paginated_with_a_cursor(env):
    """The inbox pages with a cursor, newest first."""
    app, client = env
    items = [
        {"id": f"i{n}", "kind": "claim_submitted", "title": "t", "body": "b",
         "created_at": datetime(2026, 11, 23, 12, n, tzinfo=UTC).isoformat()}
        for n in range(2)
    ]  # fmt: skip
    app.rpc.handlers[c.Subjects.LIST_INBOX] = {"items": items, "unread": 2}
    r = await client.get("/v1/me/notifications?limit=2", headers=app.auth())
    assert r.status_code == 200, r.text
    page = r.json()
    assert [i["id"] for i in page["items"]] == ["i0", "i1"]
    assert page["next_cursor"]
    r = await client.get(f"/v1/me/notifications?limit=2&cursor={page['next_cursor']}",
                         headers=app.auth())  # fmt: skip
    assert app.rpc.calls[-1]["payload"].before == datetime(2026, 11, 23, 12, 1, tzinfo=UTC)


async def test_domain_error_from_the_service_becomes_problem_json(env):
    """A service's domain error reaches the client as problem+json with its code."""
    app, client = env
    app.rpc.handlers[c.Subjects.PUT_PREFERENCES] = DomainError(
        "transactional messages must keep email or the in-app inbox on",
        code="notifications_transactional_channel_required",
        kind=ErrorKind.INVALID,
    )
    # A body the gateway accepts, so the refusal is the service's (the gateway itself now refuses
    # transactional lists without email or in_app, as published: validation_error).
    r = await client.put(
        "/v1/me/preferences", json={"transactional": ["email"]}, headers=app.auth()
    )
    assert r.status_code == 422
    assert r.json()["code"] == "notifications_transactional_channel_required"
    r = await client.put("/v1/me/preferences", json={"transactional": ["sms"]}, headers=app.auth())
    assert (r.status_code, r.json()["code"]) == (422, "validation_error")


async def test_thank_you_card_is_a_pdf(env):
    """The thank-you card is served as a PDF download."""
    app, client = env
    pdf = b"%PDF-1.4 fake"
    app.rpc.handlers[c.Subjects.THANK_YOU_CARD] = {
        "claim_id": "CLM-1", "filename": "thank-you-CLM-1.pdf",
        "pdf_base64": base64.b64encode(pdf).decode(),
    }  # fmt: skip
    r = await client.get("/v1/claims/CLM-1/thank-you-card.pdf", headers=app.auth(role="agent"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf" and r.content == pdf


async def test_webhooks_need_a_partner_key_with_the_action_or_an_agent(env):
    """Webhooks are managed with a partner key that grants the action, or by an agent."""
    app, client = env
    created = {
        "id": "we_1", "url": "https://p.example/h", "event_types": ["warranty.claim.*"],
        "enabled": True, "created_at": NOW.isoformat(), "secret": "whsec_abc",
        "owner": "3f2a9c1d0b7e6a54",
    }  # fmt: skip
    app.rpc.handlers[c.Subjects.CREATE_WEBHOOK] = created
    body = {"url": "https://p.example/h", "event_types": ["warranty.claim.*"]}
    r = await client.post("/v1/webhooks", json=body, headers=app.auth())
    assert r.status_code == 403  # customers may not
    headers = await app.partner(["events.read"])
    assert (await client.post("/v1/webhooks", json=body, headers=headers)).status_code == 403
    headers = await app.partner(["webhooks.manage"])
    r = await client.post("/v1/webhooks", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["secret"] == "whsec_abc" and r.json()["owner"] == "3f2a9c1d0b7e6a54"
    assert app.rpc.calls[-1]["actor"].type == "partner"
    # What is sent, only: an older notifications replica refuses unknown fields, even null ones.
    assert "partner_key_id" not in app.rpc.calls[-1]["payload"]
    r = await client.post("/v1/webhooks", json=body, headers=app.auth("agent-1", "agent"))
    assert r.status_code == 201


async def test_replay_and_deliveries_need_the_replay_action(env):
    """Replaying and reading the delivery log need the replay action."""
    app, client = env
    app.rpc.handlers[c.Subjects.REPLAY_WEBHOOK] = {"replayed": ["wd_1"]}
    app.rpc.handlers[c.Subjects.LIST_WEBHOOK_DELIVERIES] = {"deliveries": []}
    manage_only = await app.partner(["webhooks.manage"])
    r = await client.post("/v1/webhooks/we_1/replay", json={"delivery_id": "wd_1"},
                          headers=manage_only)  # fmt: skip
    assert r.status_code == 403
    replayer = await app.partner(["webhooks.replay"])
    r = await client.post("/v1/webhooks/we_1/replay", json={"delivery_id": "wd_1"},
                          headers=replayer)  # fmt: skip
    assert r.status_code == 200 and r.json() == {"replayed": ["wd_1"]}
    r = await client.get("/v1/webhooks/we_1/deliveries?status=dead_letter", headers=replayer)
    assert r.status_code == 200
    assert app.rpc.calls[-1]["payload"].status == "dead_letter"


async def test_partner_cannot_subscribe_beyond_its_keys_event_types(env):
    """OWASP API5/API1: a key scoped to claim events must not subscribe to order events."""
    app, client = env
    app.rpc.handlers[c.Subjects.CREATE_WEBHOOK] = lambda payload, actor: pytest.fail(
        "must not reach the service"
    )
    headers = await app.partner(["webhooks.manage"])
    for event_types in (["orders.order.*"], ["*"], ["warranty.claim.*", "orders.order.shipped"]):
        r = await client.post("/v1/webhooks", json={"url": "https://partner.example/h", "event_types": event_types},
                              headers=headers)  # fmt: skip
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "event_type_not_allowed"


# Held messages (agents only) ------------------------------------------------------------------


def held_reply(message_id: str = "d1", status: str = "uncertain") -> dict:
    return {"message_id": message_id, "kind": "claim_approved", "channel": "email",
            "status": status, "attempts": 1, "subject": "Approved", "created_at": NOW.isoformat(),
            "send_at": NOW.isoformat(), "last_error": "interrupted", "source_event_id": "e1",
            "source_event_type": "warranty.claim.approved", "customer_id": "cust-9",
            "address": "m@example.co.uk"}  # fmt: skip


async def test_only_agents_list_or_settle_held_messages(env):
    """Only agents list or settle held messages."""
    app, client = env
    app.rpc.handlers[c.Subjects.LIST_HELD_MESSAGES] = {"messages": [held_reply()]}
    for headers in (app.auth("cust-1"), await app.partner(["webhooks.manage"])):
        assert (await client.get("/v1/messages/held", headers=headers)).status_code == 403
        r = await client.post("/v1/messages/held/d1/resolve", json={"outcome": "sent"},
                              headers=headers)  # fmt: skip
        assert r.status_code == 403
    assert app.rpc.calls == []  # refused before reaching the service
    r = await client.get("/v1/messages/held", headers=app.auth("agent-1", role="agent"))
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    assert (item["message_id"], item["status"], item["address"]) == ("d1", "uncertain",
                                                                    "m@example.co.uk")  # fmt: skip


async def test_agent_settles_a_held_message(env):
    """An agent settles a held message (as the actor, with a valid outcome); the service's
    refusal comes back as 409 with its code."""
    app, client = env
    app.rpc.handlers[c.Subjects.RESOLVE_HELD_MESSAGE] = lambda p, a: held_reply(
        p.message_id, "sent"
    )
    agent = app.auth("agent-1", role="agent")
    r = await client.post("/v1/messages/held/d1/resolve", json={"outcome": "sent"}, headers=agent)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "sent"
    call = app.rpc.calls[-1]
    assert (call["payload"].message_id, call["payload"].outcome) == ("d1", "sent")
    assert call["actor"].type == "agent"
    bad = await client.post("/v1/messages/held/d1/resolve", json={"outcome": "maybe"},
                            headers=agent)  # fmt: skip
    assert bad.status_code == 422
    app.rpc.handlers[c.Subjects.RESOLVE_HELD_MESSAGE] = DomainError(
        "the message is sent, not held", code="notifications_message_not_held",
        kind=ErrorKind.CONFLICT)  # fmt: skip
    r = await client.post("/v1/messages/held/d1/resolve", json={"outcome": "resend"}, headers=agent)
    assert (r.status_code, r.json()["code"]) == (409, "notifications_message_not_held")


async def test_message_log_pages_by_message_id_and_refuses_forged_cursors(env):
    """The message log pages by message id and refuses a forged cursor."""
    app, client = env
    entry = held_reply("d2", "sent")
    app.rpc.handlers[c.Subjects.LIST_MESSAGES] = {"messages": [held_reply("d1", "sent"), entry]}
    r = await client.get("/v1/me/messages?limit=2", headers=app.auth())
    assert r.status_code == 200, r.text
    cursor = r.json()["next_cursor"]
    r = await client.get(f"/v1/me/messages?limit=2&cursor={cursor}", headers=app.auth())
    assert r.status_code == 200, r.text
    payload = app.rpc.calls[-1]["payload"]
    assert (payload.before, payload.before_id) == (NOW, "d2")
    r = await client.get("/v1/me/messages?limit=3", headers=app.auth())
    assert r.json()["next_cursor"] is None  # a short page is the last one
    calls = len(app.rpc.calls)
    naive = {"before": "2026-11-23T12:00:00"}  # no time zone: the database would refuse it
    for position in ({"before": "yesterday"}, {"before_id": "x" * 65}, {"admin": True}, naive):
        forged = routes_limits.encode_cursor(position)
        r = await client.get(f"/v1/me/messages?cursor={forged}", headers=app.auth())
        assert (r.status_code, r.json()["code"]) == (404, "cursor_not_found")
    assert len(app.rpc.calls) == calls  # refused before reaching the service


# Finding a customer (agents only) ---------------------------------------------------------------


def match_reply(payload, actor):
    return {"customers": [{"customer_id": "cust-margaret", "name": "Margaret",
                           "email": payload.email, "phone": "+447700900123", "locale": "en-GB",
                           "updated_at": NOW.isoformat()}]}  # fmt: skip


async def test_only_agents_find_customers_by_email_or_phone(env):
    """Customers and partners are refused before the service; an agent's search reaches it with
    what was typed (the service normalises it) and comes back as one page, no cursor."""
    app, client = env
    app.rpc.handlers[c.Subjects.FIND_CUSTOMERS] = match_reply
    for headers in (app.auth("cust-1"), await app.partner(["webhooks.manage"])):
        r = await client.get("/v1/customers", params={"email": "m@example.co.uk"}, headers=headers)
        assert r.status_code == 403, r.text
    assert app.rpc.calls == []
    agent = app.auth("agent-phone", role="agent")
    r = await client.get("/v1/customers", params={"email": "M@Example.co.uk"}, headers=agent)
    assert r.status_code == 200, r.text
    assert r.json()["next_cursor"] is None
    [item] = r.json()["items"]
    assert (item["customer_id"], item["email"]) == ("cust-margaret", "M@Example.co.uk")
    call = app.rpc.calls[-1]
    assert call["actor"].type == "agent" and call["payload"].email == "M@Example.co.uk"


@pytest.mark.parametrize("params", [{"email": "not an address"}, {"phone": "07700 900123"},
                                    {"phone": "+44" + "1" * 40}])  # fmt: skip
async def test_a_malformed_email_or_phone_is_refused_at_the_gateway(env, params):
    app, client = env
    r = await client.get("/v1/customers", params=params,
                         headers=app.auth("agent-phone", role="agent"))  # fmt: skip
    assert r.status_code == 422, r.text
    assert app.rpc.calls == []


async def test_an_agent_registers_for_a_partner_within_its_keys_event_types(env):
    """An agent names the partner's key: the service is asked for that key, and only within the
    key's event types; an unknown or revoked key is 422; a partner cannot name another key."""
    app, client = env
    app.rpc.handlers[c.Subjects.CREATE_WEBHOOK] = lambda payload, actor: {
        "id": "we_1",
        "url": payload["url"],
        "event_types": payload["event_types"],
        "enabled": True,
        "created_at": NOW.isoformat(),
        "secret": "whsec_abc",
        "owner": payload["partner_key_id"],
    }
    _plain, record = await app.runtime.partner_keys.create("Hale repairs", ["warranty.claim.*"],
                                                          ["webhooks.manage"])  # fmt: skip
    agent = app.auth("agent-ops", role="agent")
    body = {"url": "https://p.example/h", "event_types": ["warranty.claim.*"],
            "partner_key_id": record.key_id}  # fmt: skip
    r = await client.post("/v1/webhooks", json=body, headers=agent)
    assert r.status_code == 201, r.text
    assert r.json()["owner"] == record.key_id
    assert app.rpc.calls[-1]["actor"].id == "agent-ops"
    calls = len(app.rpc.calls)
    r = await client.post("/v1/webhooks", json={**body, "event_types": ["orders.order.*"]},
                          headers=agent)  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (403, "event_type_not_allowed")
    for key_id in ("0000000000000000", "not-a-key"):
        r = await client.post("/v1/webhooks", json={**body, "partner_key_id": key_id},
                              headers=agent)  # fmt: skip
        assert (r.status_code, r.json()["code"]) == (422, "partner_key_unknown"), r.text
    await app.runtime.partner_keys.revoke(record.key_id)
    r = await client.post("/v1/webhooks", json=body, headers=agent)
    assert (r.status_code, r.json()["code"]) == (422, "partner_key_unknown")
    other = await app.partner(["webhooks.manage"])
    r = await client.post("/v1/webhooks", json=body, headers=other)
    assert (r.status_code, r.json()["code"]) == (403, "partner_key_not_allowed")
    assert len(app.rpc.calls) == calls  # none of the refused reached the service


async def test_agents_list_partner_keys_without_their_secrets(env):
    app, client = env
    _plain, record = await app.runtime.partner_keys.create("Hale repairs", ["warranty.claim.*"],
                                                           ["webhooks.manage"])  # fmt: skip
    assert (await client.get("/v1/partners", headers=app.auth("cust-1"))).status_code == 403
    other = await app.partner(["webhooks.manage"])
    assert (await client.get("/v1/partners", headers=other)).status_code == 403
    r = await client.get("/v1/partners", headers=app.auth("agent-ops", role="agent"))
    assert r.status_code == 200, r.text
    [hale] = [p for p in r.json()["items"] if p["key_id"] == record.key_id]
    assert (hale["name"], hale["event_types"], hale["revoked_at"]) == (
        "Hale repairs", ["warranty.claim.*"], None)  # fmt: skip
    assert "key_hash" not in hale and record.key_hash not in r.text
