"""Issue 12 (ST202, "schema-valid request rejected"): the published request constraints are the
ones the services enforce. Pure tests on the gateway's OpenAPI document and the domain code."""

from __future__ import annotations

import re
import string
from datetime import date
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.gateway.app import create_app
from services.gateway.routers._label_code import GEN1_KINDS, GEN2_KINDS, LABEL_CODE_PATTERN
from services.gateway.settings import GatewaySettings
from services.notifications.domain.channels import Category
from services.notifications.domain.messages import CATALOGUE
from services.warranty.adapters.reference_data import load_catalogue
from services.warranty.domain import labels
from services.warranty.domain.errors import LabelError, LabelUnknownFormat
from shared.contracts.message_kinds import MESSAGE_KINDS, TRANSACTIONAL_MESSAGE_KINDS

TODAY = date(2026, 12, 5)
WARRANTY_CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app(GatewaySettings(env="local")).openapi()


def _body_validator(openapi: dict[str, Any], method: str, path: str) -> Any:
    body = openapi["paths"][path][method]["requestBody"]["content"]["application/json"]
    schema = {**body["schema"], "components": openapi["components"]}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


KIND_CHARS = {
    "L": string.ascii_letters + "01258",
    "D": string.digits + "OQDILZSGBoqdilzsgb",
    "E": string.ascii_letters + string.digits,
}
SEPARATORS = st.text(alphabet=" -./\t\u2013", max_size=2)


@st.composite
def published_codes(draw: st.DrawFn) -> str:
    """Strings the published pattern allows: a position kind per character, separators."""
    kinds = draw(st.sampled_from([GEN2_KINDS, GEN1_KINDS]))
    return draw(SEPARATORS) + "".join(
        draw(st.sampled_from(KIND_CHARS[kind])) + draw(SEPARATORS) for kind in kinds
    )


@settings(max_examples=300, deadline=None)
@given(code=published_codes())
def test_a_code_matching_the_published_pattern_is_never_of_unknown_format(code: str) -> None:
    """Was: `{"code": "0"}` (and 63 zeros) schema-valid, answered 422 `label_unknown_format`."""
    assert re.fullmatch(LABEL_CODE_PATTERN, code)
    try:
        labels.decode(code.strip(), today=TODAY, catalogue=WARRANTY_CATALOGUE)
    except LabelUnknownFormat as exc:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"{code!r}: {exc}")
    except LabelError:
        pass  # a domain verdict on a well-formed code (check character, factory, date)


@pytest.mark.parametrize(
    "code", ["SD-2619-VT01-00042A", "sd 2S51 vto2 0o12o z", "SD4129", "fi.2412.vt01.00913n"]
)
def test_codes_people_type_match_the_pattern(code: str) -> None:
    assert re.fullmatch(LABEL_CODE_PATTERN, code)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/labels/decode", {"code": "0"}),
        ("/v1/labels/decode", {"code": "0" * 63}),
        ("/v1/labels/decode", {"code": "999999"}),
        ("/v1/claims", {"components": ["zips"], "label_code": "0", "region": "EU"}),
        # No label, so no manufacture date: coverage needs the purchase date.
        (
            "/v1/claims",
            {"components": ["zips"], "order_line_id": "0", "style_code": "VT01", "region": "EU"},
        ),
        ("/v1/warranty/check", {"category": "handbag", "region": "EU"}),
        ("/v1/warranty/check", {"style_code": "VT01", "region": "EU"}),
        # Was (only_domain_verdicts, coverage phase): a null category met `required`.
        (
            "/v1/warranty/check",
            {"category": None, "style_code": "", "purchase_date": "2000-01-01", "region": "EU"},
        ),
        ("/v1/me/preferences", {"transactional": ["sms"]}),
        ("/v1/me/preferences", {"kind_overrides": {"no_such_kind": ["email"]}}),
        ("/v1/me/preferences", {"kind_overrides": {"order_shipped": ["sms", "push"]}}),
    ],
)
def test_bodies_the_services_refuse_are_schema_invalid(
    openapi: dict[str, Any], path: str, body: dict[str, Any]
) -> None:
    method = "put" if path == "/v1/me/preferences" else "post"
    assert not _body_validator(openapi, method, path).is_valid(body)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/v1/warranty/check",
            {"category": "handbag", "region": "EU", "purchase_date": "2026-01-02"},
        ),
        ("/v1/warranty/check", {"label_code": "SD-2619-VT01-00042A", "region": "UK"}),
        (
            "/v1/claims",
            {
                "components": ["zips"],
                "order_line_id": "ol-1",
                "style_code": "VT01",
                "purchase_date": "2026-01-02",
                "region": "EU",
            },
        ),
        ("/v1/me/preferences", {"transactional": ["sms", "in_app"]}),
        ("/v1/me/preferences", {"kind_overrides": {"order_shipped": ["sms", "email"]}}),
    ],
)
def test_bodies_the_services_accept_are_schema_valid(
    openapi: dict[str, Any], path: str, body: dict[str, Any]
) -> None:
    method = "put" if path == "/v1/me/preferences" else "post"
    _body_validator(openapi, method, path).validate(body)


def test_the_published_message_kinds_are_the_catalogue() -> None:
    assert set(MESSAGE_KINDS) == set(CATALOGUE)
    transactional = {k for k, v in CATALOGUE.items() if v.category is Category.TRANSACTIONAL}
    assert transactional == TRANSACTIONAL_MESSAGE_KINDS


def _request_body_properties(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(schema name, property, branch) of every string property of every JSON request body."""
    schemas = openapi["components"]["schemas"]
    names = {
        content["schema"]["$ref"].rsplit("/", 1)[-1]
        for operations in openapi["paths"].values()
        for operation in operations.values()
        for media, content in operation.get("requestBody", {}).get("content", {}).items()
        if media == "application/json" and "$ref" in content.get("schema", {})
    }
    return [
        (name, prop, branch)
        for name in sorted(names)
        for prop, schema in schemas[name].get("properties", {}).items()
        for branch in schema.get("anyOf", [schema])
        if branch.get("type") == "string"
    ]


def test_no_request_string_that_must_not_be_empty_accepts_only_whitespace(openapi):
    """Request strings are stripped before their length is checked, so `minLength: 1` alone
    would publish `"  "` as valid while the gateway refuses it (schemathesis ST202 on
    `POST /v1/orders` `payment_token`): each such string also publishes a not-blank rule."""
    open_ended = [
        f"{name}.{prop}"
        for name, prop, branch in _request_body_properties(openapi)
        if branch.get("minLength", 0) >= 1
        and not {"pattern", "enum", "format", "const"} & branch.keys()
    ]
    assert open_ended == []


def test_a_whitespace_only_payment_token_is_outside_the_published_schema(openapi):
    validate = _body_validator(openapi, "post", "/v1/orders")
    assert not validate.is_valid({"quote_id": "q_1", "payment_token": "   "})
    assert validate.is_valid({"quote_id": "q_1", "payment_token": "tok_ok"})
