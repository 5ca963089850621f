"""Base classes for the gateway's HTTP models (OWASP API3: property-level authorization).

Requests refuse unknown fields, so a client cannot set what it was not offered (mass
assignment). Responses ignore unknown fields, so a service adding a field to its reply does not
silently publish it: only the fields a response model declares ever reach a client.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

# A string that is not blank once `str_strip_whitespace` has stripped it: at least one character
# outside Python's whitespace (spelled out so JSON Schema's ECMA regex means the same thing).
NOT_BLANK_PATTERN = (
    "[^\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
)


def publish_not_blank(schema: dict[str, Any]) -> None:
    """Say in the schema what stripping enforces: a required-length string cannot be blank.

    Request strings are stripped before their length is checked, so `"  "` for a field with
    `minLength: 1` is refused although the bare JSON Schema would accept it. Every such string
    without a pattern of its own gets the not-blank pattern, so the published contract and the
    validation agree (a generated client, or a fuzzer, sees the same rule).
    """
    for prop in schema.get("properties", {}).values():
        for branch in prop.get("anyOf", [prop]):
            if (
                branch.get("type") == "string"
                and branch.get("minLength", 0) >= 1
                and "pattern" not in branch
                and "enum" not in branch
                and "format" not in branch
            ):
                branch["pattern"] = NOT_BLANK_PATTERN


class RequestModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra=publish_not_blank
    )


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore")
