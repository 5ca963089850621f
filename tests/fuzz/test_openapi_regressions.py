"""Regressions the API fuzzer found, pinned as fast tests on the gateway's OpenAPI document.

Each test names the schemathesis failure it came from; they run without a stack (the document
is built from the app, as `concierge docs` does).
"""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app(GatewaySettings(env="local")).openapi()


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
    ]


def test_customer_id_filters_document_404(openapi: dict[str, Any]) -> None:
    """ST103 on `GET /v1/claims?customer_id=other` as a customer: the gateway answers 404
    `customer_not_found` (never 403, OWASP API1) but the operation did not document 404."""
    missing = [
        f"{method} {path}"
        for method, path, operation in _operations(openapi)
        if any(p["name"] == "customer_id" for p in operation.get("parameters", []))
        and "404" not in operation["responses"]
    ]
    assert missing == []


def test_a_style_path_parameter_publishes_the_contracts_length(openapi: dict[str, Any]) -> None:
    """ST202 on `GET /v1/products/k/offers?region=EU`: the path allowed one character, the orders
    contract (`style`: 2-16 characters) refused it with 422 `invalid_request`."""
    from shared.contracts.orders import OfferRequest

    wanted = OfferRequest.model_json_schema()["properties"]["style"]
    for method, path, operation in _operations(openapi):
        for param in operation.get("parameters", []):
            if param["in"] == "path" and param["name"] == "style":
                schema = param["schema"]
                assert schema.get("minLength") == wanted["minLength"], (method, path)
                assert schema.get("maxLength") == wanted["maxLength"], (method, path)
