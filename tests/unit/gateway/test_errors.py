"""RFC 9457 problems everywhere; 422 lists the fields; nothing internal leaks (OWASP API8)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from shared.errors import DomainError, ErrorKind
from tests.support.gateway.harness import Harness

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "instance", "correlation_id"}


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("invalid", 422),
        ("not_found", 404),
        ("conflict", 409),
        ("forbidden", 403),
        ("unauthorized", 401),
        ("rate_limited", 429),
        ("unavailable", 503),
        ("gone", 410),
    ],
)
def test_domain_error_kinds_map_to_problems(client: TestClient, kind: str, status: int) -> None:
    r = client.get(f"/v1/test/domain-error/{kind}", headers={"X-Request-ID": "req-123"})
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert PROBLEM_KEYS <= body.keys()
    assert body["type"] == f"https://concierge.example/problems/sample_{kind}"
    assert body["code"] == f"sample_{kind}"
    assert body["status"] == status
    assert body["instance"] == f"/v1/test/domain-error/{kind}"
    assert body["correlation_id"] == "req-123"


@pytest.mark.parametrize(
    ("code", "status"), [("upstream_timeout", 504), ("upstream_unavailable", 503)]
)
def test_rpc_failures_map_to_504_and_503(
    client: TestClient, harness: Harness, code: str, status: int
) -> None:
    harness.rpc.handlers["rpc.warranty.get_claim"] = DomainError(
        "x did not answer", code=code, kind=ErrorKind.UNAVAILABLE
    )
    r = client.get("/v1/test/claims/c1", headers=harness.auth())
    assert r.status_code == status and r.json()["code"] == code


def test_validation_error_lists_fields(client: TestClient, harness: Harness) -> None:
    r = client.post(
        "/v1/test/things", json={"quantity": 99, "is_admin": True}, headers=harness.auth()
    )
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert body["code"] == "validation_error"
    locs = {tuple(e["loc"]): e for e in body["errors"]}
    assert ("body", "name") in locs  # missing
    assert ("body", "quantity") in locs  # too large
    assert ("body", "is_admin") in locs  # unknown field refused (no mass assignment)
    assert all(e["message"] for e in body["errors"])


def test_malformed_json_is_422_problem(client: TestClient, harness: Harness) -> None:
    r = client.post(
        "/v1/test/things",
        content=b"{not json",
        headers={**harness.auth(), "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["code"] == "validation_error"


def test_unexpected_exception_is_bare_500(
    client: TestClient, harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = harness.auth()
    r = client.post("/v1/test/explode", headers=headers)
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "internal_error"
    text = r.text
    for leak in ("RuntimeError", "hunter2", "/srv/app", "Traceback", "db.py"):
        assert leak not in text
    # The server log has the traceback, but not the caller's credentials.
    logged = capsys.readouterr()
    logs = logged.out + logged.err
    assert "http.unhandled_error" in logs and "RuntimeError" in logs
    token = headers["Authorization"].split()[1]
    assert token[:20] not in logs  # not even the truncated header a locals dump would show


def test_unknown_route_and_method_are_problems(client: TestClient) -> None:
    r = client.get("/v1/nope")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not_found"
    r = client.delete("/healthz")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"


def test_405_lists_every_method_of_the_path(client: TestClient) -> None:
    r = client.delete("/v1/test/things")
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
