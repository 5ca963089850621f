"""`PUT /v1/me/preferences` publishes what the notifications service enforces, and the
gateway checks it too (a refusal is a 422 `validation_error` naming the field, before any RPC)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.gateway.routers._preferences import PreferencesBody


@pytest.mark.parametrize(
    "body",
    [
        {"transactional": ["sms", "push"]},
        {"kind_overrides": {"no_such_kind": ["email"]}},
        {"kind_overrides": {"order_shipped": ["sms"]}},
    ],
)
def test_what_the_service_refuses_the_gateway_refuses(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PreferencesBody.model_validate(body)


def test_a_valid_body_passes_unchanged() -> None:
    body = {"transactional": ["in_app"], "kind_overrides": {"order_shipped": ["sms", "email"]}}
    parsed = PreferencesBody.model_validate(body)
    assert parsed.model_dump(include={"transactional", "kind_overrides"}) == body
