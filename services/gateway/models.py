"""Base classes for the gateway's HTTP models (OWASP API3: property-level authorization).

Requests refuse unknown fields, so a client cannot set what it was not offered (mass
assignment). Responses ignore unknown fields, so a service adding a field to its reply does not
silently publish it: only the fields a response model declares ever reach a client.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Request, routing
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

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
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Applied after the model's own `json_schema_extra` (a dict or a callable a subclass sets
        # in its config), so the not-blank rule composes with it instead of being replaced.
        json_schema = handler(core_schema)
        publish_not_blank(handler.resolve_ref_schema(json_schema))
        return json_schema


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


async def optional_body_is_an_object(request: Request) -> None:
    """An optional body is a JSON object or no body at all, never JSON `null`.

    FastAPI reads `null` as "no body", but the published schema of an optional body is the object
    alone (requestBody not required: `services/gateway/docs.py`), so a client (or a fuzzer) that
    sends `null` sent something the contract does not allow: it is refused like any non-object.
    Operations with a required body already refuse it; operations without a body ignore bodies.
    Declared on each operation with an optional body (`dependencies=[Depends(...)]`), not app-wide:
    solved for all ~70 operations it was a FastAPI dependency level on every request that could
    only return. `refuse_unchecked_optional_bodies` keeps the one rule: the app does not build
    with an optional-body operation that lacks it.
    """
    if not has_optional_body(request.scope.get("route")):
        return
    if (await request.body()).strip() == b"null":
        raise RequestValidationError(
            [
                {
                    "type": "model_type",
                    "loc": ("body",),
                    "msg": "Send a JSON object or no body at all (not null).",
                    "input": None,
                }
            ]
        )


def has_optional_body(route: Any) -> bool:
    """Whether the route's operation takes a body it may also be called without."""
    field = getattr(route, "body_field", None)
    return field is not None and not field.field_info.is_required()


def refuse_unchecked_optional_bodies(routes: Iterable[Any]) -> None:
    """Raise unless every operation with an optional body depends on `optional_body_is_an_object`
    (called by `create_app` once the routers are included)."""
    for context in routing.iter_route_contexts(list(routes)):
        route: Any = context.route
        if has_optional_body(route) and not any(
            d.call is optional_body_is_an_object for d in route.dependant.dependencies
        ):
            raise RuntimeError(
                f"{context.path_format}: an optional body needs "
                "dependencies=[Depends(optional_body_is_an_object)]"
            )
