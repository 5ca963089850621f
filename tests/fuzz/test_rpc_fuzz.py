"""Every RPC operation of every service, fuzzed over the real bus (below the gateway).

The gateway only sends what its routers validated; other callers (a service calling another,
an operator tool) do not. For each `RpcRoute` of each service (read from the services' own
route tables), hypothesis sends requests built from the operation's request model, as every
kind of actor, plus junk bytes. A reply must always be a well-formed RPC reply, and never the
`internal_error` that means an unhandled exception in a handler (the gateway turns it into a
503). The services must keep answering their ping afterwards.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from unittest.mock import MagicMock

import nats
import orjson
import pytest
from hypothesis import given, seed
from hypothesis import strategies as st

from services.notifications.entrypoints.rpc import rpc_routes as notifications_routes
from services.orders.entrypoints.rpc import routes as orders_routes
from services.warranty.entrypoints.rpc import routes as warranty_routes
from shared.actor import Actor
from shared.contracts.system import ping_subject
from shared.messaging.glue import RpcRoute
from shared.rpc import ACTOR_HEADER
from tests.fuzz.conftest import FUZZ_EXAMPLES, FUZZ_SEED, FuzzStack, bounded_settings
from tests.fuzz.strategies import from_json_schema

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# Route tables only: the handlers are never called here, the running services answer.
ROUTES: list[RpcRoute] = sorted(
    [
        *warranty_routes(MagicMock(), MagicMock()),
        *orders_routes(MagicMock(), MagicMock()),
        *notifications_routes(MagicMock()),
    ],
    key=lambda r: r.subject,
)
ACTORS = st.one_of(
    st.none(),
    st.builds(
        Actor,
        type=st.sampled_from(["customer", "agent", "partner", "system"]),
        id=st.sampled_from(["cus_rpc", "agt_rpc", "0123456789abcdef", "system"]),
        on_behalf_of=st.sampled_from([None, "cus_rpc", "cus_other"]),
    ),
)


def _requests(route: RpcRoute) -> st.SearchStrategy[Any]:
    if route.request_model is None:
        return st.just({})
    schema = route.request_model.model_json_schema()
    # Valid-shaped requests mostly, sometimes a field of the wrong type or an empty object.
    return st.one_of(
        from_json_schema(schema),
        from_json_schema(schema),
        st.just({}),
        st.dictionaries(
            st.sampled_from(sorted(schema.get("properties", {}) or ["x"])), st.integers()
        ),
    )


CALLS = st.sampled_from(ROUTES).flatmap(
    lambda r: st.tuples(st.just(r.subject), _requests(r), ACTORS)
)


async def _call(nc: Any, subject: str, body: bytes, actor: Actor | None) -> dict[str, Any]:
    headers = {ACTOR_HEADER: actor.header()} if actor else None
    msg = await nc.request(subject, body, timeout=15, headers=headers)
    reply: dict[str, Any] = orjson.loads(msg.data)
    assert isinstance(reply.get("ok"), bool), reply
    return reply


async def _round(stack: FuzzStack, calls: list[tuple[str, Any, Actor | None]], junk: bytes) -> None:
    nc = await nats.connect(stack.nats_url)
    try:
        for subject, request, actor in calls:
            reply = await _call(nc, subject, json.dumps(request).encode(), actor)
            if not reply["ok"]:
                code = reply["error"].get("code")
                assert code != "internal_error", f"{subject} {request} as {actor}: {reply}"
        reply = await _call(nc, calls[0][0], junk, None)
        assert reply["ok"] is False or junk.strip() in (b"", b"{}")
        for service in ("warranty", "orders", "notifications"):
            assert (await _call(nc, ping_subject(service), b"{}", None))["ok"]
    finally:
        await nc.drain()


def test_every_service_route_is_fuzzed() -> None:
    prefixes = {route.subject.split(".")[1] for route in ROUTES}
    assert prefixes == {"warranty", "orders", "notifications"}
    assert len(ROUTES) >= 40


@bounded_settings(max(4, FUZZ_EXAMPLES))
@seed(FUZZ_SEED)
@given(calls=st.lists(CALLS, min_size=10, max_size=20), junk=st.binary(max_size=64))
def test_rpc_never_fails_internally(fuzz_stack: FuzzStack, calls: list[Any], junk: bytes) -> None:
    asyncio.run(_round(fuzz_stack, calls, junk))
