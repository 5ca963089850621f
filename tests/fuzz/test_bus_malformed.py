"""Malformed events on the real bus: dead-lettered with a reason, never a crashed consumer.

Against the whole stack (real nats-server, the services as processes; tests/fuzz/conftest.py),
hypothesis generates batches of bad messages and publishes them on every subject a service
consumes (read from the services' own `EventRoute`s): junk bytes, JSON that is not an envelope,
envelopes with a missing or mistyped attribute, huge bodies, valid envelopes of a registered type
whose payload the contract refuses, and event types nobody registered. Then:
- each one is in the DLQ stream (`list_dead_letters`), for the consumer of that stream, with a
  non-empty reason;
- every service still answers `rpc.<service>.ping`;
- a valid event published afterwards is applied (the customer gets the in-app message).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import nats
import pytest
from hypothesis import given, seed
from hypothesis import strategies as st

from services.notifications.entrypoints.consumers import event_routes
from shared.contracts.registry import load_all
from shared.contracts.system import ping_subject
from shared.contracts.warranty import ClaimSubmitted
from shared.messaging.dlq import list_dead_letters
from shared.messaging.glue import EventRoute
from shared.messaging.outbox import MSG_ID_HEADER
from shared.rpc import RpcClient
from tests.fuzz.conftest import FUZZ_EXAMPLES, FUZZ_SEED, FuzzStack, bounded_settings
from tests.fuzz.strategies import bad_envelopes, envelope, valid_payloads, wrong_payload

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(600),
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning"),  # huge bodies
]

SERVICES = ("warranty", "orders", "notifications")
ROUTES: list[EventRoute] = event_routes(None, None, None)  # type: ignore[arg-type]  # only the routing
SPECS = load_all()
DLQ_TIMEOUT = 30.0
HUGE = 400_000  # bytes; under the 1 MiB NATS max_payload, far over any real event


@dataclass(frozen=True)
class Bad:
    kind: str
    subject: str
    body: bytes

    def __repr__(self) -> str:  # a huge body would flood the failure report
        return f"Bad({self.kind}, {self.subject}, {self.body[:120]!r}, {len(self.body)} bytes)"


def _types_on(route: EventRoute) -> list[str]:
    prefix = route.subject.removesuffix(">")
    return sorted(t for t in SPECS if t.startswith(prefix))


@st.composite
def bad_message(draw: st.DrawFn, kind: str) -> Bad:
    route = draw(st.sampled_from(ROUTES))
    prefix = route.subject.removesuffix(">")
    event_type = draw(st.sampled_from(_types_on(route)))
    subject = event_type
    if kind == "junk_bytes":
        body = draw(st.binary(max_size=300))
    elif kind == "not_an_envelope":
        value = draw(st.one_of(st.integers(), st.lists(st.integers(), max_size=3), st.text()))
        body = json.dumps(value).encode()
    elif kind == "bad_envelope":
        body = json.dumps(draw(bad_envelopes(event_type, {"claim_id": "x"}))).encode()
    elif kind == "huge":
        filler = draw(st.sampled_from(["x", "é", "\u0000", "{"]))
        body = json.dumps(envelope(event_type, filler * (HUGE // 2))).encode()[:HUGE]
    elif kind == "wrong_payload":
        wrong = draw(wrong_payload(SPECS[event_type].model))
        body = json.dumps(envelope(event_type, wrong)).encode()
    elif kind == "unknown_type":
        verb = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12))
        subject = f"{prefix}fuzz.{verb}"
        data = {"customer_id": "cus_fuzz", "claim_id": "c1"}
        body = json.dumps(envelope(subject, data)).encode()
    else:  # pragma: no cover
        raise AssertionError(kind)
    return Bad(kind, subject, body)


KINDS = ["junk_bytes", "not_an_envelope", "bad_envelope", "huge", "wrong_payload", "unknown_type"]
# One of every kind in each batch, plus a few more of any kind.
BATCHES = st.tuples(
    st.tuples(*(bad_message(k) for k in KINDS)),
    st.lists(st.sampled_from(KINDS).flatmap(bad_message), max_size=4),
).map(lambda t: [*t[0], *t[1]])


async def _publish_all(js: Any, batch: list[Bad]) -> dict[tuple[str, int], Bad]:
    sent = {}
    for bad in batch:
        ack = await js.publish(bad.subject, bad.body, headers={MSG_ID_HEADER: uuid.uuid4().hex})
        sent[(ack.stream, ack.seq)] = bad
    return sent


async def _await_dead_letters(js: Any, sent: dict[tuple[str, int], Bad]) -> dict[tuple, Any]:
    durable = {route.stream.name: route.durable for route in ROUTES}
    deadline = time.monotonic() + DLQ_TIMEOUT
    while True:
        letters = {
            (d.original_stream, d.original_seq): d
            for d in await list_dead_letters(js, limit=10_000)
        }
        found = {key: letters[key] for key in sent if key in letters}
        if len(found) == len(sent) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.25)
    missing = [f"{sent[k].kind} on {sent[k].subject} (seq {k[1]})" for k in sent if k not in found]
    assert not missing, f"not dead-lettered within {DLQ_TIMEOUT}s: {missing}"
    for key, letter in found.items():
        # A str, not an email.header.Header (non-ASCII reasons: see test_dlq_regressions).
        assert isinstance(letter.reason, str) and letter.reason.strip(), sent[key].kind
        assert letter.consumer == durable[key[0]]
        assert letter.original_subject == sent[key].subject
    return found


async def _services_answer(nc: Any) -> None:
    rpc = RpcClient(nc)
    for service in SERVICES:
        await rpc.call(ping_subject(service), {}, timeout=5)


def _valid_event_is_applied(js: Any, stack: FuzzStack, payload: ClaimSubmitted) -> Any:
    async def publish() -> None:
        body = envelope("warranty.claim.submitted", payload.model_dump(mode="json"))
        await js.publish(
            "warranty.claim.submitted",
            json.dumps(body).encode(),
            headers={MSG_ID_HEADER: body["id"]},
        )

    return publish()


def _inbox(stack: FuzzStack, customer_id: str) -> list[Any]:
    with stack.client(customer_id) as client:
        response = client.get("/v1/me/notifications")
        assert response.status_code == 200, response.text
        return list(response.json()["items"])


async def _round(stack: FuzzStack, batch: list[Bad], valid: ClaimSubmitted) -> list[str]:
    nc = await nats.connect(stack.nats_url)
    try:
        js = nc.jetstream()
        sent = await _publish_all(js, batch)
        await _await_dead_letters(js, sent)
        await _services_answer(nc)
        await _valid_event_is_applied(js, stack, valid)
        return [bad.kind for bad in batch]
    finally:
        await nc.drain()


def _wait_for_inbox(stack: FuzzStack, customer_id: str, timeout: float = 20.0) -> list[Any]:
    deadline = time.monotonic() + timeout
    while not (items := _inbox(stack, customer_id)) and time.monotonic() < deadline:
        time.sleep(0.25)
    return items


VALID_CLAIMS = valid_payloads(ClaimSubmitted)


@bounded_settings(max(2, FUZZ_EXAMPLES // 2))
@seed(FUZZ_SEED)
@given(batch=BATCHES, valid=VALID_CLAIMS)
def test_malformed_events_are_dead_lettered_and_consumers_live_on(
    fuzz_stack: FuzzStack, batch: list[Bad], valid: Any
) -> None:
    customer_id = f"cus_bus_{uuid.uuid4().hex[:10]}"
    claim = valid.model_copy(update={"customer_id": customer_id, "claim_id": uuid.uuid4().hex})
    asyncio.run(_round(fuzz_stack, batch, claim))
    items = _wait_for_inbox(fuzz_stack, customer_id)
    assert items, "a valid event published after the malformed ones was not applied"


def test_stack_still_healthy_after_fuzzing(fuzz_stack: FuzzStack) -> None:
    """No service process died (a crash would have been restarted by nobody)."""
    dead = [c.spec.name for c in fuzz_stack.stack.children if not c.alive()]
    assert dead == []
    assert httpx.get(f"{fuzz_stack.api}/readyz", timeout=10).status_code == 200
