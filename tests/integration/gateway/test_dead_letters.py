"""/v1/operations/dead-letters on a real nats-server: the event DLQ for agents with the
`operations` scope, paged, without payloads; replay publishes the event again exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.gateway.app import create_app
from services.gateway.auth import mint_token
from services.gateway.routers import operations
from services.gateway.settings import GatewaySettings
from shared.messaging.dlq import dead_letter
from shared.messaging.streams import ensure_streams
from shared.runtime.nats_server import NatsServer
from tests.support.gateway.harness import make_settings

LIST = "/v1/operations/dead-letters"
SECRET_PAYLOAD = b'{"data": {"email": "ada@example.com"}}'


@pytest.fixture
async def api(nats_server: NatsServer, nats_client: Any) -> AsyncIterator[tuple[httpx.AsyncClient, GatewaySettings]]:  # fmt: skip
    settings = make_settings(nats_url=nats_server.url, rpc_timeout_seconds=0.5)
    await ensure_streams(nats_client.jetstream())
    app = create_app(settings, nc=nats_client, routers=[operations.router])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client, settings


def auth(settings: GatewaySettings, role: str = "agent", scope: str = "operations") -> dict[str, str]:  # fmt: skip
    return {"Authorization": f"Bearer {mint_token(settings, 'agent-7', role, 600, scope)}"}  # type: ignore[arg-type]


async def poison(js: Any, stream_seq: int, subject: str = "warranty.claim.approved") -> None:
    await dead_letter(js, stream="WARRANTY", stream_seq=stream_seq, consumer="notifications-warranty",
                      subject=subject, payload=SECRET_PAYLOAD, headers={"Nats-Msg-Id": f"evt-{stream_seq}"},
                      reason="malformed_event: input {'email': 'ada@example.com'}", deliveries=1)  # fmt: skip


async def test_agents_with_the_scope_page_through_letters_without_payloads(api: Any, nats_client: Any) -> None:  # fmt: skip
    client, settings = api
    js = nats_client.jetstream()
    for seq in (1, 2, 3):
        await poison(js, seq)
    first = await client.get(LIST, params={"limit": 2}, headers=auth(settings))
    assert first.status_code == 200, first.text
    body = first.json()
    assert [i["stream_seq"] for i in body["items"]] == [1, 2]
    assert body["items"][0]["event_id"] == "evt-1" and body["items"][0]["replayable"] is True
    assert body["items"][0]["reason"] == "malformed_event"
    assert "ada@example.com" not in first.text  # neither the body nor an error quoting it
    rest = await client.get(LIST, params={"limit": 2, "cursor": body["next_cursor"]},
                            headers=auth(settings))  # fmt: skip
    assert [i["stream_seq"] for i in rest.json()["items"]] == [3]
    assert rest.json()["next_cursor"] is None


async def test_who_may_not_read_the_dlq(api: Any, nats_client: Any) -> None:
    client, settings = api
    no_scope = await client.get(LIST, headers=auth(settings, scope=""))
    assert (no_scope.status_code, no_scope.json()["code"]) == (403, "scope_not_allowed")
    customer = await client.get(LIST, headers=auth(settings, role="customer"))
    assert (customer.status_code, customer.json()["code"]) == (403, "role_not_allowed")
    assert (await client.get(LIST)).status_code == 401


async def test_replay_publishes_the_event_once_and_empties_the_letter(api: Any, nats_client: Any) -> None:  # fmt: skip
    client, settings = api
    js = nats_client.jetstream()
    await poison(js, 9)
    [letter] = (await client.get(LIST, headers=auth(settings))).json()["items"]
    before = (await js.stream_info("WARRANTY")).state.messages
    url = f"{LIST}/{letter['id']}/replay"
    replayed = await client.post(url, headers={**auth(settings), "Idempotency-Key": "k1"})
    assert replayed.status_code == 200, replayed.text
    again = await client.post(url, headers={**auth(settings), "Idempotency-Key": "k1"})
    assert again.json() == replayed.json()  # the same key: the stored answer
    other_key = await client.post(url, headers={**auth(settings), "Idempotency-Key": "k2"})
    assert (other_key.status_code, other_key.json()["code"]) == (404, "dead_letter_not_found")
    assert (await js.stream_info("WARRANTY")).state.messages == before + 1
    msg = await js.get_msg("WARRANTY", seq=(await js.stream_info("WARRANTY")).state.last_seq)
    assert (msg.subject, msg.data) == ("warranty.claim.approved", SECRET_PAYLOAD)
    assert (await client.get(LIST, headers=auth(settings))).json()["items"] == []


async def test_a_letter_without_an_event_subject_is_refused_and_kept(api: Any, nats_client: Any) -> None:  # fmt: skip
    client, settings = api
    await poison(nats_client.jetstream(), 4, subject="rpc.warranty.get_claim")
    [letter] = (await client.get(LIST, headers=auth(settings))).json()["items"]
    assert letter["replayable"] is False
    r = await client.post(f"{LIST}/{letter['id']}/replay", headers={**auth(settings), "Idempotency-Key": "k"})  # fmt: skip
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "dead_letter_not_replayable"
    assert len((await client.get(LIST, headers=auth(settings))).json()["items"]) == 1
