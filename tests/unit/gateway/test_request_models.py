"""Request models publish the not-blank rule that stripping enforces, composed with their own
`json_schema_extra` (review of issue 12: a model's dict extra used to replace the rule)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ConfigDict, Field

from services.gateway.models import NOT_BLANK_PATTERN, RequestModel

OPENAPI = json.loads((Path(__file__).parents[3] / "docs" / "openapi.json").read_text())


def _extra(schema: dict[str, Any]) -> None:
    schema["x-rule"] = "callable"


class WithDictExtra(RequestModel):
    model_config = ConfigDict(json_schema_extra={"anyOf": [{"required": ["name"]}]})

    name: str = Field(min_length=1, max_length=20)
    note: str | None = Field(default=None, min_length=2, max_length=20)


class WithCallableExtra(RequestModel):
    model_config = ConfigDict(json_schema_extra=_extra)

    name: str = Field(min_length=1, max_length=20)


class Outer(RequestModel):
    inner: WithDictExtra
    title: str = Field(min_length=1, max_length=20)


@pytest.mark.parametrize("model", [WithDictExtra, WithCallableExtra])
def test_the_not_blank_rule_composes_with_a_models_own_extra(model: type[RequestModel]) -> None:
    schema = model.model_json_schema()
    assert schema["properties"]["name"]["pattern"] == NOT_BLANK_PATTERN
    if model is WithDictExtra:
        assert schema["anyOf"] == [{"required": ["name"]}]
        note = schema["properties"]["note"]["anyOf"][0]
        assert note["pattern"] == NOT_BLANK_PATTERN
    else:
        assert schema["x-rule"] == "callable"


def test_nested_request_models_get_the_rule_too() -> None:
    schema = Outer.model_json_schema()
    assert schema["properties"]["title"]["pattern"] == NOT_BLANK_PATTERN
    inner = schema["$defs"]["WithDictExtra"]
    assert inner["properties"]["name"]["pattern"] == NOT_BLANK_PATTERN
    assert inner["anyOf"] == [{"required": ["name"]}]


def _request_schemas() -> set[str]:
    names: set[str] = set()
    for item in OPENAPI["paths"].values():
        for operation in item.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                names.update(_refs(media.get("schema", {})))
    return names


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            found.add(name)
            found |= _refs(OPENAPI["components"]["schemas"][name])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def test_every_published_required_length_string_of_a_request_is_not_blank() -> None:
    """Stripping happens before the length check, so each such string must say it."""
    blank_allowed = []
    for name in sorted(_request_schemas()):
        for prop_name, prop in OPENAPI["components"]["schemas"][name].get("properties", {}).items():
            for branch in prop.get("anyOf", [prop]):
                if (
                    branch.get("type") == "string"
                    and branch.get("minLength", 0) >= 1
                    and not {"pattern", "enum", "format"} & set(branch)
                ):
                    blank_allowed.append(f"{name}.{prop_name}")
    assert blank_allowed == []
