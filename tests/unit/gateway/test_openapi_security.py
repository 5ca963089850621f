"""Authentication is the middleware's (AuthContextMiddleware); OpenAPI still lists both security
schemes on every operation that needs a caller, exactly as when FastAPI solved `HTTPBearer` and
`APIKeyHeader` on every request. docs/openapi.json was generated that way, so it is the record
of "before"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, routing
from fastapi.dependencies.utils import get_dependant
from fastapi.security.base import SecurityBase

from services.gateway.app import create_app
from services.gateway.auth import (
    current_principal,
    require_agent,
    require_customer_or_agent,
    require_partner,
)
from services.gateway.settings import GatewaySettings

COMMITTED = json.loads((Path(__file__).resolve().parents[3] / "docs" / "openapi.json").read_text())
BOTH = [{"HTTPBearer": []}, {"APIKeyHeader": []}]
SCHEMES = {
    "HTTPBearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "JWT for customers and agents, or a partner key `ck_...`.",
    },
    "APIKeyHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "Partner API key `ck_...`.",
    },
}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(GatewaySettings(env="local"))


def _security(document: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {
        (path, method): operation.get("security")
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_every_operation_lists_the_security_entries_it_listed_before(app: FastAPI) -> None:
    now = _security(app.openapi())
    assert now == _security(COMMITTED)
    assert sorted({json.dumps(v) for v in now.values()}) == [json.dumps(BOTH), "null"]
    public = sorted(f"{m.upper()} {p}" for (p, m), v in now.items() if v is None)
    assert public == ["GET /asyncapi.json", "GET /healthz", "GET /metrics", "GET /readyz",
                      "GET /v1/warranty/policy", "GET /v1/warranty/policy.html"]  # fmt: skip
    assert len(now) - len(public) >= 59


def test_the_security_schemes_are_defined_as_before(app: FastAPI) -> None:
    assert app.openapi()["components"]["securitySchemes"] == SCHEMES
    assert COMMITTED["components"]["securitySchemes"] == SCHEMES


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def test_no_request_solves_a_security_scheme(app: FastAPI) -> None:
    """They were sub-dependencies of `current_principal` only so that OpenAPI listed them:
    solving them was FastAPI work on every request, and they never refused anything."""
    routes = [c.route for c in routing.iter_route_contexts(app.routes)]
    dependants = [r.dependant for r in routes if hasattr(r, "dependant")]
    assert len(dependants) > 50
    for dependant in dependants:
        assert not any(isinstance(call, SecurityBase) for call in _calls(dependant))


@pytest.mark.parametrize(
    "dependency",
    [current_principal, require_customer_or_agent, require_agent, require_partner("x")],
)
def test_the_role_dependencies_have_no_dependencies_of_their_own(dependency: Any) -> None:
    # Each level FastAPI solves per request costs more than the role check itself.
    dependant = get_dependant(path="/", call=dependency)
    assert dependant.dependencies == [] and dependant.request_param_name == "request"
