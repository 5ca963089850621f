"""GET /v1/claims?rma=: the claim list filtered by RMA number (the console's search, a
storefront's "track my return"); a malformed number is a 422 problem and reaches no service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.gateway.routers import warranty
from tests.support.gateway.harness import Harness

LIST = "rpc.warranty.list_claims"


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    """The real warranty router on the harness's fakes."""

    with harness.serving(warranty.router) as c:
        yield c


def test_the_rma_number_reaches_the_service(client: TestClient, harness: Harness) -> None:
    harness.rpc.handlers[LIST] = {"items": [], "next_offset": None}
    r = client.get("/v1/claims", params={"rma": "RMA-20261205-KZX6H3"},
                   headers=harness.auth("agent-1", "agent"))  # fmt: skip
    assert r.status_code == 200, r.text
    assert harness.rpc.calls[-1]["payload"].rma == "RMA-20261205-KZX6H3"


def test_a_malformed_rma_number_is_a_problem(client: TestClient, harness: Harness) -> None:
    harness.rpc.handlers[LIST] = {"items": [], "next_offset": None}
    calls = len(harness.rpc.calls)
    r = client.get("/v1/claims", params={"rma": "x' OR 1=1"}, headers=harness.auth())
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert len(harness.rpc.calls) == calls


def test_a_review_queue_asks_for_the_oldest_first(client: TestClient, harness: Harness) -> None:
    harness.rpc.handlers[LIST] = {"items": [], "next_offset": None}
    agent = harness.auth("agent-1", "agent")
    assert client.get("/v1/claims", headers=agent).status_code == 200
    assert harness.rpc.calls[-1]["payload"].order == "newest"
    r = client.get(
        "/v1/claims", params={"status": "needs_review", "order": "oldest"}, headers=agent
    )
    assert r.status_code == 200 and harness.rpc.calls[-1]["payload"].order == "oldest"
    calls = len(harness.rpc.calls)
    assert client.get("/v1/claims", params={"order": "random"}, headers=agent).status_code == 422
    assert len(harness.rpc.calls) == calls
