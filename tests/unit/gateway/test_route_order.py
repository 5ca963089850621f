"""The hot routers are tried first when routing, and that changes no route's answer."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI, routing
from starlette.routing import Mount

import services.gateway.app as gateway_app
from services.gateway.app import HOT_ROUTERS, _router_of, create_app, discover_routers
from tests.support.gateway.harness import make_settings


def _paths(router: routing.APIRouter) -> list[str]:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(router)
    return [str(c.path_format) for c in routing.iter_route_contexts(app.routes) if c.methods]


def _may_both_match(a: str, b: str) -> bool:
    """Whether some URL path could match both templates (a `{name}` matches one segment)."""
    sa, sb = a.strip("/").split("/"), b.strip("/").split("/")
    if any(":path}" in s for s in sa + sb):
        return True
    return len(sa) == len(sb) and all(
        x == y or x.startswith("{") or y.startswith("{") for x, y in zip(sa, sb, strict=True)
    )


def test_hot_routers_are_tried_first() -> None:
    app = create_app(make_settings())
    included = [getattr(e, "original_router", None) for e in app.router.routes]
    assert included[: len(HOT_ROUTERS)] == [_router_of(n) for n in HOT_ROUTERS]


def test_no_hot_route_can_shadow_one_of_the_apps_own_routes() -> None:
    """The app's own routes (docs, operations) were tried before every router; the hot
    routers now go first, so none of their paths may reach one of those."""
    own = [e for e in create_app(make_settings()).router.routes if not hasattr(e, "original_router")]  # fmt: skip
    assert len(own) >= 8
    hot_paths = [p for n in HOT_ROUTERS for p in _paths(_router_of(n))]
    assert len(hot_paths) > 20
    for entry in own:
        if isinstance(entry, Mount):  # /docs/assets/...: any path under its prefix
            assert not [p for p in hot_paths if p.startswith(entry.path + "/")], entry.path
            continue
        clash = [p for p in hot_paths if _may_both_match(p, entry.path)]
        assert not clash, f"{clash} would be tried before {entry.path}"


def test_no_hot_route_can_shadow_a_route_it_moved_ahead_of() -> None:
    discovered = discover_routers()
    hot = [_router_of(n) for n in HOT_ROUTERS]
    for router in hot:
        moved_over = [r for r in discovered[: discovered.index(router)] if r not in hot]
        for path in _paths(router):
            for other in moved_over:
                clash = [p for p in _paths(other) if _may_both_match(path, p)]
                assert not clash, f"{path} would be tried before {clash}"


def test_the_document_is_the_one_without_reordering(monkeypatch: pytest.MonkeyPatch) -> None:
    reordered = create_app(make_settings()).openapi()
    monkeypatch.setattr(gateway_app, "HOT_ROUTERS", ())
    plain = create_app(make_settings())
    first = next(e for e in plain.router.routes if hasattr(e, "original_router"))
    assert first.original_router is discover_routers()[0]  # really not reordered
    assert json.dumps(reordered) == json.dumps(plain.openapi())  # same text, same order


def test_the_overlap_check_sees_a_clash() -> None:
    assert _may_both_match("/v1/claims/{claim_id}", "/v1/claims/stats")
    assert not _may_both_match("/v1/claims/{claim_id}", "/v1/claims/{claim_id}/photo")
