"""The published API documentation matches the API: every operation says what
it does and who may call it (derived from the dependency that enforces it, and checked here
against real calls), the streams describe their events, the claim body does not publish the
gateway's request_id, claim and order cancel need no body, and /docs works offline."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from services.gateway.docs_roles import WHO_MAY_CALL
from shared.contracts.orders import Subjects as OrdersSubjects
from shared.contracts.warranty import Subjects
from tests.support.gateway.harness import Harness, make_settings


@pytest.fixture(scope="module")
def harness() -> Harness:
    return Harness(make_settings(), real_routers=True)


@pytest.fixture(scope="module")
def client(harness: Harness) -> Iterator[TestClient]:
    with TestClient(harness.app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_every_operation_has_a_description_that_says_who_may_call_it(
    document: dict[str, Any],
) -> None:
    missing = [
        f"{method} {path}"
        for method, path, operation in operations(document)
        if WHO_MAY_CALL not in operation.get("description", "")
    ]
    assert missing == []
    assert len(list(operations(document))) >= 50


def test_operations_documented_for_agents_only_refuse_customers(
    document: dict[str, Any], client: TestClient, harness: Harness
) -> None:
    agent_only = [
        (method, re.sub(r"\{[^}]+\}", "X-1", path))
        for method, path, operation in operations(document)
        if f"{WHO_MAY_CALL} support agents." in operation["description"]
    ]
    assert len(agent_only) >= 10  # the repair centre's steps, held messages, the SLA board
    for method, path in agent_only:
        r = client.request(method, path, headers=harness.auth("cust-1"), json={})
        assert (r.status_code, r.json()["code"]) == (403, "role_not_allowed"), (method, path)


def test_public_operations_need_no_credentials(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        public = f"{WHO_MAY_CALL} anyone" in operation["description"]
        assert public == ("security" not in operation), f"{method} {path}"


@pytest.mark.parametrize(
    "path", ["/v1/claims/{claim_id}/stream", "/v1/orders/{order_id}/stream",
             "/v1/me/notifications/stream"],
)  # fmt: skip
def test_streams_describe_each_event(document: dict[str, Any], path: str) -> None:
    responses = document["paths"][path]["get"]["responses"]
    event = responses["200"]["content"]["text/event-stream"]["schema"]
    assert event["required"] == ["event", "data"]
    assert event["properties"]["id"]["pattern"] == "^[0-9]{1,19}$"
    assert event["properties"]["event"]["pattern"].startswith("^(ready|")
    data = event["properties"]["data"]
    assert data["contentMediaType"] == "application/json"
    ready, cloud_event = data["contentSchema"]["anyOf"]
    assert ready["required"] == ["position"]
    assert {"id", "type", "source", "time", "data"} <= set(cloud_event["required"])
    assert {"400", "429"} <= set(responses)  # bad Last-Event-ID, too many streams


def test_open_claim_does_not_publish_or_accept_request_id(
    document: dict[str, Any], client: TestClient, harness: Harness
) -> None:
    body = document["components"]["schemas"]["OpenClaimBody"]
    assert "request_id" not in body["properties"]
    r = client.post("/v1/claims", headers=harness.auth(), json={
        "region": "US", "components": ["handles"], "label_code": "SD-2551-VT02-0012OZ",
        "request_id": "mine"})  # fmt: skip
    assert r.status_code == 422


def test_claim_and_order_cancel_need_no_body(client: TestClient, harness: Harness) -> None:
    seen: list[Any] = []
    harness.rpc.handlers[Subjects.CANCEL_CLAIM] = lambda payload, actor: seen.append(payload) or {}
    harness.rpc.handlers[OrdersSubjects.CANCEL_ORDER] = lambda payload, actor: (
        seen.append(payload) or {}
    )
    for path in ("/v1/claims/CLM-1/cancel", "/v1/orders/ORD-1/cancel"):
        r = client.post(path, headers=harness.auth())
        assert r.status_code != 422, (path, r.text)
    assert len(seen) == 2
    with_reason = client.post("/v1/claims/CLM-1/cancel", headers=harness.auth(),
                              json={"reason": "found the receipt"})  # fmt: skip
    assert with_reason.status_code != 422
    assert seen[-1].reason == "found the receipt"


def test_an_optional_body_is_an_object_or_nothing_never_null(
    document: dict[str, Any], client: TestClient, harness: Harness
) -> None:
    """Schemathesis' ST201: `null` sent to claim cancel was accepted while the published schema
    (FastAPI's `anyOf: [CancelBody, null]`) read as an object. One rule for every optional body:
    published as the object alone, `required: false`, and JSON `null` refused."""
    optional = {
        f"{method.upper()} {path}": operation["requestBody"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation and not operation["requestBody"].get("required")
    }
    assert "POST /v1/claims/{claim_id}/cancel" in optional
    for label, body in optional.items():
        assert body["required"] is False, label
        assert "null" not in json.dumps(body["content"]), label
    seen: list[Any] = []
    harness.rpc.handlers[Subjects.CANCEL_CLAIM] = lambda payload, actor: seen.append(payload) or {}
    headers = {**harness.auth(), "Content-Type": "application/json"}
    for content in (b"null", b" null\n"):
        r = client.post("/v1/claims/CLM-1/cancel", headers=headers, content=content)
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "validation_error"
    assert seen == []
    for content in (b"", b"{}"):
        r = client.post("/v1/claims/CLM-1/cancel", headers=headers, content=content)
        assert r.status_code != 422, (content, r.text)
    assert len(seen) == 2


def test_docs_page_loads_nothing_from_another_host(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets, page
        assert not [a for a in assets if re.match(r"^(https?:)?//", a)], (page, assets)
        for asset in assets:
            if asset.startswith("/docs/assets/"):
                r = client.get(asset)
                assert r.status_code == 200 and len(r.content) > 1000, asset
    swagger = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in swagger


def test_parameters_are_never_published_as_nullable(document: dict[str, Any]) -> None:
    """A header or query value is text or absent: `anyOf: [.., null]` made schemathesis send the
    text "null" as a schema-valid Last-Event-ID."""
    nullable = [
        f"{method} {path} {param['name']}"
        for method, path, operation in operations(document)
        for param in operation.get("parameters", [])
        if "anyOf" in param["schema"] or param["schema"].get("type") == "null"
    ]
    assert nullable == []


def test_open_claim_publishes_how_the_item_is_named(
    document: dict[str, Any], client: TestClient, harness: Harness
) -> None:
    schema = document["components"]["schemas"]["OpenClaimBody"]
    assert [branch["required"] for branch in schema["anyOf"]] == [
        ["label_code"], ["order_line_id", "style_code", "purchase_date"]]  # fmt: skip
    validator = jsonschema.Draft202012Validator({**schema, "components": document["components"]})
    base = {"region": "US", "components": ["handles"]}
    for body, valid in [
        (base, False),
        ({**base, "label_code": None}, False),
        ({**base, "label_code": "  \t"}, False),
        ({**base, "order_line_id": "L1"}, False),
        ({**base, "label_code": "SD-2551-VT02-0012OZ"}, True),
        (
            {**base, "order_line_id": "L1", "style_code": "VT02", "purchase_date": "2026-01-10"},
            True,
        ),
    ]:
        schema_says = validator.is_valid(body)
        assert schema_says == valid, body
        if not valid:  # what the schema refuses, the API refuses too
            r = client.post("/v1/claims", headers=harness.auth(), json=body)
            assert r.status_code == 422, body
    # Published, and refused by the warranty service (422 warranty_start_unknown), not the
    # gateway: without a label or a purchase date the coverage has no start.
    assert not validator.is_valid({**base, "order_line_id": "L1", "style_code": "VT02"})


PHONES = [
    "+447700900123",
    "+44 (7700) 900-123",
    "+1.555.0100.123",
    "447700900123",
    "+0123456789",
    "+1234",
    "+١٢٣٤٥٦٧٨",
    "+44 7700 900123 ext",
    "\u2003+447700900123\u2003",
    "+4477009001231234",
]
EMAILS = [
    "a@b.co",
    "margaret@example.co.uk",
    "a b@c.d",
    "a@@b.c",
    "a@b",
    "a\u00a0@b.c",
    "a@b.c\u1680",
]
ZONES = ["Europe/London", "America/New_York", "UTC", "Mars/Base", "europe/london", "", "EST5EDT"]


def _service_accepts(**fields: Any) -> bool:
    from services.notifications.domain.preferences import Contact
    from shared.errors import DomainError

    try:
        Contact(customer_id="c", **fields)
    except DomainError:
        return False
    return True


@pytest.mark.parametrize(("field", "values"),
                         [("phone", PHONES), ("email", EMAILS), ("time_zone", ZONES)])  # fmt: skip
def test_contact_constraints_are_the_services_checks(
    document: dict[str, Any], field: str, values: list[str]
) -> None:
    """What the published schema accepts, the notifications service accepts, and the other way
    round (schemathesis: a schema-valid phone number was refused with 422)."""
    schema = document["components"]["schemas"]["ContactBody"]
    validator = jsonschema.Draft202012Validator(schema)
    for value in values:
        published = validator.is_valid({field: value})
        assert published == _service_accepts(**{field: value}), (field, value, published)


def test_coverage_check_publishes_that_it_needs_something_to_check(
    document: dict[str, Any], client: TestClient, harness: Harness
) -> None:
    schema = document["components"]["schemas"]["CoverageBody"]
    validator = jsonschema.Draft202012Validator({**schema, "components": document["components"]})
    for body, valid in [
        ({"region": "EU"}, False),
        ({"region": "EU", "style_code": " "}, False),
        ({"region": "EU", "category": None}, False),
        ({"region": "EU", "label_code": "SD-2551-VT02-0012OZ"}, True),
        ({"region": "EU", "category": "handbag", "purchase_date": "2026-01-10"}, True),
    ]:
        assert validator.is_valid(body) == valid, body
        if not valid:
            assert (
                client.post("/v1/warranty/check", headers=harness.auth(), json=body).status_code
                == 422
            )
    # Published, and refused by the warranty service (422 warranty_start_unknown).
    assert not validator.is_valid({"region": "EU", "category": "handbag"})


def test_every_paginated_list_documents_cursor_not_found(document: dict[str, Any]) -> None:
    for method, path, operation in operations(document):
        if any(p["name"] == "cursor" for p in operation.get("parameters", [])):
            assert "404" in operation["responses"], f"{method} {path}"
