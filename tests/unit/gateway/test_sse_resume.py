"""`Last-Event-ID` is checked in one place for every stream: a value that is not
a stream sequence the gateway could have sent is 400 `invalid_last_event_id` before the stream
starts, on the claim, order and inbox streams, and never reaches NATS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.gateway.sse import parse_last_event_id
from shared.contracts.orders import Subjects as OrdersSubjects
from shared.contracts.warranty import Subjects
from tests.support.gateway.harness import Harness, make_settings

STREAMS = [
    "/v1/claims/CLM-2026-000001/stream",
    "/v1/orders/ORD-1/stream",
    "/v1/me/notifications/stream",
]
BAD_IDS = [
    "18446744073709551615",  # uint64 max: the next sequence overflows
    "18446744073709551616",  # over uint64
    "99999999999999999999",  # 20 digits
    "-1",
    "+5",
    "1e3",
    "0x10",
    "12 34",
    "abc",
    "",
    "١٢".encode(),  # Arabic-Indic digits pass str.isdigit()
    "²".encode("latin-1"),  # so does a superscript two
]


class UntouchableJetStream:
    """Any use of NATS by a refused request fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a refused Last-Event-ID reached NATS (js.{name})")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    harness = Harness(make_settings(), real_routers=True)
    harness.rpc.handlers[Subjects.GET_CLAIM] = {"claim_id": "CLM-2026-000001", "status": "open"}
    harness.rpc.handlers[OrdersSubjects.GET_ORDER] = {"order_id": "ORD-1", "status": "placed"}
    with TestClient(harness.app, raise_server_exceptions=False) as c:
        harness.runtime.js = UntouchableJetStream()  # type: ignore[assignment]
        c.headers.update(harness.auth("cust-1"))
        yield c


@pytest.mark.parametrize("path", STREAMS)
@pytest.mark.parametrize("value", BAD_IDS)
def test_bad_last_event_id_is_400_before_the_stream(
    client: TestClient, path: str, value: str | bytes
) -> None:
    r = client.get(path, headers={"Last-Event-ID": value})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "invalid_last_event_id"


@pytest.mark.parametrize(
    ("value", "position"),
    [(None, None), ("0", 0), ("42", 42), ("9999999999999999999", 9_999_999_999_999_999_999)],
)
def test_stream_sequences_are_accepted(value: str | None, position: int | None) -> None:
    assert parse_last_event_id(value) == position
    assert position is None or position + 1 < 2**64  # the consumer's start sequence fits


def test_the_header_publishes_the_constraint_it_enforces(client: TestClient) -> None:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    for path in ("/v1/claims/{claim_id}/stream", "/v1/orders/{order_id}/stream",
                 "/v1/me/notifications/stream"):  # fmt: skip
        (header,) = [p for p in paths[path]["get"]["parameters"] if p["name"] == "Last-Event-ID"]
        assert header["schema"]["pattern"] == "^[0-9]{1,19}$"
