"""Every property a client can read or send is described in the published OpenAPI document.

The walk starts at every operation's request body and responses, follows each `$ref` into
`components/schemas`, and checks every property of every schema it reaches. Public models are
defined once in shared/contracts with their descriptions; a field added without one fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from tests.support.gateway.harness import Harness, make_settings
from tests.support.gateway.openapi import reachable_schemas


def document() -> dict[str, Any]:
    harness = Harness(make_settings(), real_routers=True)
    with TestClient(harness.app) as client:
        return client.get("/openapi.json").json()  # type: ignore[no-any-return]


def undescribed(doc: dict[str, Any]) -> Iterator[str]:
    schemas = doc["components"]["schemas"]
    for name in sorted(reachable_schemas(doc)):
        for prop, schema in schemas[name].get("properties", {}).items():
            if not schema.get("description"):
                yield f"{name}.{prop}"


def test_every_public_property_has_a_description() -> None:
    missing = list(undescribed(document()))
    assert not missing, f"properties without a description: {missing}"


def test_the_walk_reaches_request_and_response_models() -> None:
    """The check above would pass vacuously if the walk found nothing."""
    reached = reachable_schemas(document())
    assert {"OrderView", "OrderBody", "Problem"} <= reached
