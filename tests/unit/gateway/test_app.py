"""Operational endpoints, request ids, security headers, metrics, settings, docs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from services.gateway.settings import PLACEHOLDER_PEPPER, PLACEHOLDER_SECRET, GatewaySettings
from tests.support.gateway.harness import Harness


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_reports_each_service(client: TestClient, harness: Harness) -> None:
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"] == {"nats": True, "rpc.warranty": False}
    harness.rpc.handlers["rpc.warranty.ping"] = {
        "service": "warranty",
        "instance": "x",
        "database": True,
    }
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"
    assert harness.rpc.calls[-1]["timeout"] == harness.settings.ready_timeout_seconds


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32
    # Header injection / log forging attempts are replaced, not echoed.
    assert (
        client.get("/healthz", headers={"X-Request-ID": "a b\tc"}).headers["x-request-id"]
        != "a b\tc"
    )


def test_request_id_is_the_rpc_correlation_id(client: TestClient, harness: Harness) -> None:
    seen = []

    def handler(payload, actor):  # type: ignore[no-untyped-def]
        from shared.logging import current_correlation_id

        seen.append(current_correlation_id())
        return {"claim_id": "c1"}

    harness.rpc.handlers["rpc.warranty.get_claim"] = handler
    client.get("/v1/test/claims/c1", headers={**harness.auth(), "X-Request-ID": "trace-77"})
    assert seen == ["trace-77"]


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/healthz").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert "server" not in headers or "uvicorn" not in headers["server"].lower()


def test_metrics_by_route_template(client: TestClient, harness: Harness) -> None:
    harness.rpc.handlers["rpc.warranty.get_claim"] = {"claim_id": "x"}
    for cid in ("c1", "c2", "c3"):
        client.get(f"/v1/test/claims/{cid}", headers=harness.auth())
    client.get("/random/path/123")
    text = client.get("/metrics").text
    assert 'route="/v1/test/claims/{claim_id}"' in text
    assert (
        'gateway_http_requests_total{method="GET",route="/v1/test/claims/{claim_id}",status="200"} 3.0'
        in text
    )
    assert "/random/path/123" not in text
    assert 'route="unmatched"' in text


def test_openapi_documents_problems_and_idempotency(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    post = doc["paths"]["/v1/test/things"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "413" in post["responses"] and "429" in post["responses"]
    assert {"400", "401", "403", "409", "422"} <= post["responses"].keys()
    assert "Problem" in doc["components"]["schemas"]
    for path_item in doc["paths"].values():
        for operation in path_item.values():
            for status, response in operation["responses"].items():
                if status[0] in "45":  # every documented error is problem+json
                    assert list(response["content"]) == ["application/problem+json"], (
                        status,
                        operation,
                    )
    assert {"HTTPBearer", "APIKeyHeader"} <= doc["components"]["securitySchemes"].keys()


def test_asyncapi_endpoint(client: TestClient) -> None:
    doc = client.get("/asyncapi.json").json()
    assert doc["asyncapi"] == "3.0.0"
    assert "channels" in doc and "operations" in doc


def test_production_refuses_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="GATEWAY_JWT_SECRET"):
        GatewaySettings(env="production", jwt_secret=PLACEHOLDER_SECRET, api_key_pepper="p" * 40)
    with pytest.raises(ValidationError, match="GATEWAY_API_KEY_PEPPER"):
        GatewaySettings(env="production", jwt_secret="s" * 40, api_key_pepper=PLACEHOLDER_PEPPER)
    with pytest.raises(ValidationError, match="at least 32"):
        GatewaySettings(env="production", jwt_secret="short-but-real", api_key_pepper="p" * 40)
    ok = GatewaySettings(env="production", jwt_secret="s" * 40, api_key_pepper="p" * 40)
    assert not ok.is_local
    assert GatewaySettings(env="local").jwt_secret == PLACEHOLDER_SECRET  # local default works


def test_settings_refuse_mixed_or_unknown_algorithms() -> None:
    with pytest.raises(ValidationError):
        GatewaySettings(jwt_algorithms=["HS256", "RS256"], jwt_public_key="x")
    with pytest.raises(ValidationError):
        GatewaySettings(jwt_algorithms=["none"])
    with pytest.raises(ValidationError):
        GatewaySettings(jwt_algorithms=["RS256"])  # no key source


def test_access_log_line_carries_the_request_id(
    client: TestClient, harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    client.get("/v1/test/things", headers={**harness.auth(), "X-Request-ID": "acc-42"})
    client.get("/healthz", headers={"X-Request-ID": "probe-1"})
    out = capsys.readouterr()
    logs = out.out + out.err
    line = next(x for x in logs.splitlines() if "http.request" in x and "acc-42" in x)
    assert "/v1/test/things" in line and "200" in line
    assert "probe-1" not in logs
