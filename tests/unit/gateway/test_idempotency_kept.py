"""`POST /v1/quotes` and `POST /v1/orders` leave their Idempotency-Key to the orders service
(KEPT_BY_SERVICE): the gateway records nothing in its KV bucket, its RPC carries the scoped key and the request's
fingerprint, and a reply the service marks replayed is answered `Idempotent-Replayed: true`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.gateway.idempotency import (
    KEPT_BY_SERVICE,
    fingerprint,
    kept_by_service,
    kv_key_for,
)
from services.gateway.routers import orders
from shared.contracts.orders import Subjects
from shared.errors import DomainError, ErrorKind
from shared.rpc import current_kept_request, current_request_key
from tests.support.gateway.harness import Harness
from tests.unit.gateway.routers.test_orders_by_id import ORDER, QUOTE

BODY = {"quote_id": "q-1", "payment_token": "tok_ok"}


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    with harness.serving(orders.router) as c:
        yield c


class PlaceOrder:
    """The orders service as the RPC client sees it: what each call carried, and whether the
    service marked its reply replayed (RpcClient sets the flag from `X-Replayed`)."""

    def __init__(self, replayed: bool = False, refusal: DomainError | None = None) -> None:
        self.replayed, self.refusal = replayed, refusal
        self.seen: list[tuple[str | None, str | None]] = []

    def __call__(self, payload: Any, actor: Any) -> dict[str, Any]:
        kept = current_kept_request()
        self.seen.append((current_request_key(), kept.fingerprint if kept else None))
        if kept is not None and self.replayed:
            kept.replayed = True
        if self.refusal is not None:
            raise self.refusal
        return {**ORDER, "placed_now": True}  # the reply of the request that placed it


def test_the_kept_targets_are_quotes_orders_and_the_secret_bearing_webhook_commands() -> None:
    """Quotes and orders, and the two webhook commands whose replies carry a signing secret
    (which the gateway's bucket would keep in clear; the notifications service seals it)."""
    assert KEPT_BY_SERVICE == {"POST /v1/quotes", "POST /v1/orders", "POST /v1/webhooks"}
    assert kept_by_service("POST /v1/webhooks/we_1a2b/rotate-secret")
    for target in ("POST /v1/webhooks/we_1/replay", "DELETE /v1/webhooks/we_1",
                   "POST /v1/webhooks/a/b/rotate-secret", "POST /v1/claims"):  # fmt: skip
        assert not kept_by_service(target), target


def test_a_quote_keeps_its_key_in_the_service_too(client: TestClient, harness: Harness) -> None:
    seen: list[tuple[str | None, str | None]] = []

    def quote(payload: Any, actor: Any) -> dict[str, Any]:
        kept = current_kept_request()
        seen.append((current_request_key(), kept.fingerprint if kept else None))
        return QUOTE

    harness.rpc.handlers[Subjects.QUOTE] = quote
    headers = {**harness.auth("cust-a"), "Idempotency-Key": "k-quote"}
    r = client.post("/v1/quotes", json={"style": "TC11", "region": "UK"}, headers=headers)
    assert r.status_code == 201, r.text
    key = kv_key_for("customer:cust-a", "POST /v1/quotes", "k-quote")
    scope = {"method": "POST", "path": "/v1/quotes", "query_string": b""}
    assert seen == [(key, fingerprint(scope, r.request.content))]
    # The quote's id is derived from the same key, as before (the route's request_id).
    assert harness.rpc.calls[-1]["payload"]["request_id"] == key
    assert not [v for v in harness.idempotency_kv._data.values() if v is not None]


def test_the_key_and_fingerprint_go_to_the_service_and_nothing_to_the_bucket(
    client: TestClient, harness: Harness
) -> None:
    service = PlaceOrder()
    harness.rpc.handlers[Subjects.PLACE_ORDER] = service
    headers = {**harness.auth("cust-a"), "Idempotency-Key": "k-kept"}
    r = client.post("/v1/orders", json=BODY, headers=headers)
    assert r.status_code == 201, r.text
    assert "idempotent-replayed" not in r.headers
    scope = {"method": "POST", "path": "/v1/orders", "query_string": b""}
    body = r.request.content
    assert service.seen == [
        (kv_key_for("customer:cust-a", "POST /v1/orders", "k-kept"), fingerprint(scope, body))
    ]
    assert not [v for v in harness.idempotency_kv._data.values() if v is not None]
    # Without the header nothing is keyed, as on every route.
    assert client.post("/v1/orders", json=BODY, headers=harness.auth("cust-a")).status_code == 201
    assert service.seen[-1] == (None, None)


def test_a_reply_the_service_replayed_says_so(client: TestClient, harness: Harness) -> None:
    harness.rpc.handlers[Subjects.PLACE_ORDER] = PlaceOrder(replayed=True)
    headers = {**harness.auth("cust-a"), "Idempotency-Key": "k-again"}
    r = client.post("/v1/orders", json=BODY, headers=headers)
    assert r.status_code == 201 and r.headers["idempotent-replayed"] == "true"


def test_a_replayed_refusal_says_so_too(client: TestClient, harness: Harness) -> None:
    expired = DomainError("The quote expired.", code="quote_expired", kind=ErrorKind.GONE)
    harness.rpc.handlers[Subjects.PLACE_ORDER] = PlaceOrder(replayed=True, refusal=expired)
    headers = {**harness.auth("cust-a"), "Idempotency-Key": "k-refused"}
    r = client.post("/v1/orders", json=BODY, headers=headers)
    assert (r.status_code, r.json()["code"]) == (410, "quote_expired")
    assert r.headers["idempotent-replayed"] == "true"
