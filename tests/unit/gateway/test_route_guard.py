"""An included router is skipped when its routes cannot match the path, and that changes no
route's answer (services/gateway/route_guard.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient
from starlette.routing import Match

import services.gateway.app as gateway_app
from services.gateway.app import _router_of, create_app
from tests.support.gateway.harness import Harness, make_settings

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _scope(method: str, path: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "",
            "headers": [], "query_string": b""}  # fmt: skip


def _answers(app: FastAPI, method: str, path: str) -> list[Match]:
    """What each entry of the app's routes says to the request, in routing order."""
    return [entry.matches(_scope(method, path))[0] for entry in app.router.routes]


def _paths(app: FastAPI) -> set[str]:
    """Every route's template made concrete, and near misses of each (a trailing slash, one
    segment more, a changed last character)."""
    found: set[str] = {"/", "/v1", "/v1/", "/nowhere", "/v1/claim", "/v1/orders-x"}
    for context in routing.iter_route_contexts(app.routes):
        template = str(getattr(context, "path_format", "") or "")
        if not template:
            continue
        path = re.sub(r"\{[^}:]+:path\}", "a/b", template)
        path = re.sub(r"\{[^}]+\}", "abc1", path)
        found |= {path, path + "/", path + "/x", path[:-1] + "z", path.rstrip("/") + "1"}
    return found


@pytest.fixture(scope="module")
def apps() -> tuple[FastAPI, FastAPI]:
    guarded = create_app(make_settings())
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gateway_app, "guard_included_routers", lambda app: None)
        plain = create_app(make_settings())
    return guarded, plain


def test_every_entry_answers_as_without_the_guard(apps: tuple[FastAPI, FastAPI]) -> None:
    guarded, plain = apps
    paths = _paths(plain)
    assert len(paths) > 200
    for path in sorted(paths):
        for method in METHODS:
            assert _answers(guarded, method, path) == _answers(plain, method, path), (method, path)


def test_a_router_whose_routes_cannot_match_is_not_asked(
    apps: tuple[FastAPI, FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    guarded, _ = apps
    warranty: Any = next(
        e
        for e in guarded.router.routes
        if getattr(e, "original_router", None) is _router_of("warranty")
    )
    asked: list[str] = []
    original = warranty._match

    def counted(scope: dict[str, Any]) -> Any:
        asked.append(scope["path"])
        return original(scope)

    monkeypatch.setattr(warranty, "_match", counted)
    assert Match.FULL in _answers(guarded, "POST", "/v1/orders")
    assert asked == []  # the warranty routes were never tried for an orders path
    assert Match.FULL in _answers(guarded, "GET", "/v1/claims/abc1")
    assert asked == ["/v1/claims/abc1"]


def _selections(app: FastAPI, method: str, path: str, *, matched_first: bool) -> list[Any]:
    """Each included entry's search result, as `_handle_selected` reads it: after `matches`
    ran on the same scope (as FastAPI's routing does), or on a fresh scope."""
    found = []
    for entry in app.router.routes:
        if not hasattr(entry, "_match"):
            continue
        scope = _scope(method, path)
        if matched_first:
            entry.matches(scope)
        match, child, route, _ = entry._match(scope)
        found.append((match, child.get("path_params"), getattr(route, "path", None),
                      sorted(getattr(route, "methods", None) or [])))  # fmt: skip
    return found


def test_the_second_search_finds_what_a_fresh_search_finds(apps: tuple[FastAPI, FastAPI]) -> None:
    guarded, plain = apps
    for path in sorted(_paths(plain)):
        for method in METHODS:
            expected = _selections(plain, method, path, matched_first=False)
            assert _selections(guarded, method, path, matched_first=True) == expected, (method, path)  # fmt: skip


def test_a_request_searches_its_router_once(monkeypatch: pytest.MonkeyPatch) -> None:
    searched: list[str] = []
    search = routing._IncludedRouter._match

    def counted(self: Any, scope: dict[str, Any]) -> Any:
        if self.original_router is _router_of("orders"):
            searched.append(scope["path"])
        return search(self, scope)

    monkeypatch.setattr(routing._IncludedRouter, "_match", counted)
    harness = Harness(make_settings(), real_routers=True)

    async def factory(_: object) -> Any:
        return harness.runtime

    app = create_app(harness.settings, runtime_factory=factory)
    with TestClient(app) as client:
        r = client.post("/v1/orders", headers=harness.auth(), json={"quote_id": "q", "payment_token": "t"})  # fmt: skip
    assert r.status_code == 503  # no orders service in the harness: routed, then asked
    assert searched == ["/v1/orders"]  # matches() searched; _handle_selected read its result
