"""OWASP API4 (unrestricted resource consumption): body cap, rate limits, page size cap."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.gateway.limits import TokenBucketLimiter, decode_cursor, encode_cursor
from tests.support.gateway.harness import Harness, make_settings


def test_body_over_cap_is_413_problem(client: TestClient, harness: Harness) -> None:
    big = {"name": "x" * (harness.settings.max_body_bytes + 10), "quantity": 1}
    r = client.post("/v1/test/things", json=big, headers=harness.auth())
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "body_too_large"
    assert harness.counter.executions == 0


def test_body_cap_holds_without_content_length(client: TestClient, harness: Harness) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"x" * 10_000

    r = client.post(
        "/v1/test/things",
        content=chunks(),
        headers={**harness.auth(), "Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_rate_limit_gives_429_with_retry_after() -> None:
    # One token a minute: no refill can happen during the test, however slow the machine.
    harness = Harness(make_settings(rate_limit_per_minute=1, rate_limit_burst=3))
    with TestClient(harness.app, raise_server_exceptions=False) as client:
        headers = harness.auth()
        statuses = [client.get("/v1/test/things", headers=headers).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200]
        assert statuses[3:] == [429, 429]
        r = client.get("/v1/test/things", headers=headers)
        assert r.status_code == 429
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 60
        # Another caller has their own bucket; health checks are never limited.
        assert client.get("/v1/test/things", headers=harness.auth("cust-2")).status_code == 200
        assert client.get("/healthz").status_code == 200


def test_token_bucket_refills() -> None:
    limiter = TokenBucketLimiter(per_minute=60, burst=2)
    assert limiter.take("a", now=0.0) == 0
    assert limiter.take("a", now=0.0) == 0
    assert limiter.take("a", now=0.0) > 0
    assert limiter.take("a", now=1.01) == 0  # one token per second


def test_each_replica_enforces_its_share_of_the_limit() -> None:
    limiter = TokenBucketLimiter(per_minute=120, burst=4)
    limiter.set_share(2)  # two replicas: 60/min and a burst of 2 each
    assert [limiter.take("a", now=0.0) for _ in range(3)][:2] == [0, 0]
    assert limiter.take("b", now=0.0) == 0 and limiter.take("b", now=0.0) == 0
    assert limiter.take("b", now=0.0) == pytest.approx(1.0)  # one token a second, not two
    limiter.set_share(8)
    assert limiter.burst == 1.0  # never below one request
    limiter.set_share(1)
    assert (limiter.rate, limiter.burst) == (2.0, 4.0)


def test_page_size_is_capped(client: TestClient, harness: Harness) -> None:
    r = client.get("/v1/test/things", params={"limit": 1000}, headers=harness.auth())
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["query", "limit"]
    r = client.get("/v1/test/things", params={"limit": 100}, headers=harness.auth())
    assert r.status_code == 200 and len(r.json()["items"]) == 100


def test_settings_can_lower_the_page_size() -> None:
    harness = Harness(make_settings(max_page_size=10, default_page_size=5))
    with TestClient(harness.app) as client:
        r = client.get("/v1/test/things", params={"limit": 50}, headers=harness.auth())
        assert len(r.json()["items"]) == 10
        assert len(client.get("/v1/test/things", headers=harness.auth()).json()["items"]) == 5


def test_cursor_pagination_walks_the_list(client: TestClient, harness: Harness) -> None:
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/test/things", params=params, headers=harness.auth()).json()
        seen += [item["i"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(range(250))


def test_malformed_cursor_is_422(client: TestClient, harness: Harness) -> None:
    r = client.get("/v1/test/things", params={"cursor": "%%%not-base64"}, headers=harness.auth())
    assert r.status_code == 422 and r.json()["code"] == "validation_error"


@pytest.mark.parametrize("cursor", ["AAAA", "bm90LWpzb24", "WzFd", "0"])
def test_well_formed_cursor_this_api_never_wrote_is_404(
    client: TestClient, harness: Harness, cursor: str
) -> None:
    """Like an unknown id (a schema-valid request is not 'invalid input')."""
    r = client.get("/v1/test/things", params={"cursor": cursor}, headers=harness.auth())
    assert r.status_code == 404 and r.json()["code"] == "cursor_not_found"


def test_claims_cursor_with_a_junk_offset_is_404_not_500() -> None:
    harness = Harness(make_settings(), real_routers=True)
    with TestClient(harness.app, raise_server_exceptions=False) as client:
        for position in ({"offset": "abc"}, {"offset": -1}, {"offset": [1]}):
            r = client.get("/v1/claims", params={"cursor": encode_cursor(position)},
                           headers=harness.auth())  # fmt: skip
            assert (r.status_code, r.json()["code"]) == (404, "cursor_not_found"), position


def test_cursor_round_trip() -> None:
    assert decode_cursor(encode_cursor({"after": "c-9", "t": 3})) == {"after": "c-9", "t": 3}
