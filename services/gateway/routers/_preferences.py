"""The preferences body as the notifications service enforces it, published: `kind_overrides`
takes the known message kinds only, and transactional messages (the top-level list and every
transactional kind's override) must keep email or the in-app inbox. The contract says so in
words; here it is JSON Schema (`propertyNames`, `contains`) and the gateway checks it too, so a
schema-valid body is one the service accepts."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, WithJsonSchema, field_validator

from shared.contracts import notifications as c
from shared.contracts.message_kinds import (
    ALWAYS_ON_CHANNELS,
    MESSAGE_KINDS,
    TRANSACTIONAL_MESSAGE_KINDS,
)

_CHANNELS = {"type": "array", "items": {"enum": ["email", "sms", "push", "in_app"]}}
_KEEPS_ONE_ALWAYS_ON = {**_CHANNELS, "contains": {"enum": list(ALWAYS_ON_CHANNELS)}}
KIND_OVERRIDES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        kind: _KEEPS_ONE_ALWAYS_ON if kind in TRANSACTIONAL_MESSAGE_KINDS else _CHANNELS
        for kind in MESSAGE_KINDS
    },
    "additionalProperties": False,
    "description": "Per message kind, replaces the category's channels. Transactional kinds "
    "must keep email or in_app.",
}
TRANSACTIONAL_SCHEMA: dict[str, Any] = {
    **_KEEPS_ONE_ALWAYS_ON,
    "description": "Channels for service messages: must keep email or in_app.",
    "default": ["email", "in_app", "push"],
}


def _require_always_on(channels: list[str], what: str) -> None:
    if not set(channels) & set(ALWAYS_ON_CHANNELS):
        raise ValueError(f"{what} messages must keep email or in_app")


class PreferencesBody(c.PreferencesIn):
    transactional: Annotated[list[c.ChannelName], WithJsonSchema(TRANSACTIONAL_SCHEMA)] = Field(
        default_factory=c._default_transactional
    )
    kind_overrides: Annotated[
        dict[str, list[c.ChannelName]], WithJsonSchema(KIND_OVERRIDES_SCHEMA)
    ] = Field(default_factory=dict)

    @field_validator("transactional")
    @classmethod
    def _transactional_keeps_one(cls, value: list[str]) -> list[str]:
        _require_always_on(value, "transactional")
        return value

    @field_validator("kind_overrides")
    @classmethod
    def _overrides_keep_one(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for kind, channels in value.items():
            if kind not in MESSAGE_KINDS:
                raise ValueError(
                    f"unknown message kind {kind!r}; known: {', '.join(MESSAGE_KINDS)}"
                )
            if kind in TRANSACTIONAL_MESSAGE_KINDS:
                _require_always_on(channels, kind)
        return value
