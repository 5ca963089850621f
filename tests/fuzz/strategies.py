"""Hypothesis strategies for event payloads, valid and malformed.

`from_json_schema` covers the JSON Schema subset pydantic emits for the event contracts (types,
`anyOf`, `enum`, `const`, `$ref`, `format: date|date-time`, `minimum`/`maximum`, string lengths,
`pattern`, mappings with `propertyNames`/`maxProperties`); a keyword it does not know fails loudly, so a new contract construct cannot silently
shrink what is fuzzed.
"""

from __future__ import annotations

import functools
import json
import string
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from shared.contracts.envelope import new_event_id

JSON = dict[str, Any]
IGNORED = {"title", "description", "examples", "default", "additionalProperties", "discriminator"}
HANDLED = {
    "type",
    "anyOf",
    "oneOf",
    "enum",
    "const",
    "$ref",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "minItems",
    "maxItems",
    "properties",
    "required",
    "maxProperties",
    "propertyNames",
    "$defs",
}
TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-_. ", min_size=1, max_size=20)
AWARE = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


def from_json_schema(node: JSON, root: JSON | None = None) -> st.SearchStrategy[Any]:
    root = root if root is not None else node
    unknown = set(node) - HANDLED - IGNORED
    if unknown:
        raise NotImplementedError(f"schema keywords not handled by the fuzzer: {sorted(unknown)}")
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: from_json_schema(root["$defs"][name], root))
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    for key in ("anyOf", "oneOf"):
        if key in node:
            return st.one_of([from_json_schema(n, root) for n in node[key]])
    kind = node.get("type")
    if isinstance(kind, list):
        return st.one_of([from_json_schema({**node, "type": k}, root) for k in kind])
    return _typed(kind, node, root)


def _typed(kind: str | None, node: JSON, root: JSON) -> st.SearchStrategy[Any]:
    if kind == "object" or "properties" in node:
        return _object(node, root)
    if kind == "array":
        items = from_json_schema(node.get("items", {}), root)
        return st.lists(items, min_size=node.get("minItems", 0), max_size=node.get("maxItems", 3))
    if kind == "string":
        return _string(node)
    if kind == "integer":
        low = node.get("minimum", node.get("exclusiveMinimum", -1) + 1)
        return st.integers(min_value=low, max_value=node.get("maximum", 10**6))
    if kind == "number":
        low = node.get("minimum", 0)
        return st.decimals(
            min_value=low, max_value=node.get("maximum", 10**6), places=2, allow_nan=False
        ).map(float)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind is None:
        return st.one_of(st.none(), st.booleans(), st.integers(), TEXT)
    raise NotImplementedError(f"schema type not handled by the fuzzer: {kind}")


def _string(node: JSON) -> st.SearchStrategy[str]:
    fmt = node.get("format")
    if fmt == "date-time":
        return AWARE.map(lambda d: d.isoformat())
    if fmt == "date":
        return st.dates(min_value=datetime(2020, 1, 1).date()).map(lambda d: d.isoformat())
    if fmt is not None:
        raise NotImplementedError(f"string format not handled by the fuzzer: {fmt}")
    if "pattern" in node:
        return st.from_regex(str(node["pattern"]), fullmatch=True)
    return st.text(
        alphabet=string.ascii_letters + string.digits + "-_. ",
        min_size=max(1, node.get("minLength", 1)),
        max_size=node.get("maxLength", 24),
    )


def _object(node: JSON, root: JSON) -> st.SearchStrategy[JSON]:
    values = node.get("additionalProperties")
    if "properties" not in node and isinstance(values, dict):  # a mapping: bounded keys and values
        keys = from_json_schema({"type": "string", **node.get("propertyNames", {})}, root)
        size = min(node.get("maxProperties", 3), 3)
        return st.dictionaries(keys, from_json_schema(values, root), max_size=size)
    properties: JSON = node.get("properties", {})
    required = set(node.get("required", ()))
    return st.fixed_dictionaries(
        {k: from_json_schema(v, root) for k, v in properties.items() if k in required},
        optional={k: from_json_schema(v, root) for k, v in properties.items() if k not in required},
    )


@functools.cache
def valid_payloads(model: type[BaseModel]) -> st.SearchStrategy[BaseModel]:
    """Instances of `model` built from its JSON Schema (values the model's validators refuse,
    e.g. a decimal string that is not a number, are filtered out)."""
    schema = model.model_json_schema()

    def build(data: JSON) -> BaseModel | None:
        try:
            return model.model_validate(data)
        except ValidationError:
            return None

    return from_json_schema(schema).map(build).filter(lambda m: m is not None)  # type: ignore[return-value]


# --- malformed --------------------------------------------------------------------------------


def envelope(event_type: str, payload: Any, **overrides: Any) -> JSON:
    body: JSON = {
        "specversion": "1.0",
        "id": new_event_id(),
        "source": "/concierge/fuzz",
        "type": event_type,
        "subject": "fuzz",
        "time": (datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
        "datacontenttype": "application/json",
        "data": payload,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not _DROP}


_DROP = object()
WRONG_VALUES = st.one_of(
    st.integers(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(TEXT, st.integers(), max_size=2),
    st.text(max_size=10),
    st.none(),
)


@st.composite
def wrong_payload(draw: st.DrawFn, model: type[BaseModel]) -> JSON:
    """A payload for `model` that the model refuses: a required field missing or of the wrong
    type, or junk instead of an object."""
    required = _required(model)
    valid = draw(valid_payloads(model)).model_dump(mode="json")
    how = draw(st.sampled_from(["missing", "wrong_type", "not_an_object"]))
    if how == "missing" and required:
        valid.pop(draw(st.sampled_from(required)))
    elif how == "wrong_type" and required:
        field = draw(st.sampled_from(required))
        valid[field] = draw(WRONG_VALUES.filter(partial(_refused, model, valid, field)))
    else:
        return draw(st.one_of(st.lists(st.integers(), max_size=2), st.text(max_size=5), st.none()))
    return valid


@functools.cache
def _required(model: type[BaseModel]) -> list[str]:
    return sorted(model.model_json_schema().get("required", []))


def _refused(model: type[BaseModel], data: JSON, field: str, value: Any) -> bool:
    try:
        model.model_validate({**data, field: value})
        return False
    except ValidationError:
        return True


def bad_envelopes(event_type: str, data: JSON) -> st.SearchStrategy[JSON]:
    """CloudEvents envelopes that are not valid: a required attribute missing or mistyped."""
    attribute = st.sampled_from(["id", "source", "type", "subject", "time", "data"])
    wrong = st.one_of(
        st.none(),
        st.integers(),
        st.lists(st.integers(), max_size=2),
        st.just(""),
        st.just("not-a-time"),
    )
    missing = attribute.map(lambda a: envelope(event_type, data, **{a: _DROP}))
    mistyped = st.tuples(attribute, wrong).map(
        lambda aw: envelope(event_type, data, **{aw[0]: aw[1]})
    )
    return st.one_of(missing, mistyped).filter(lambda e: not _valid_envelope(e))


def _valid_envelope(body: JSON) -> bool:
    from shared.contracts.envelope import RawEvent

    try:
        RawEvent.model_validate_json(json.dumps(body))
        return True
    except ValidationError:
        return False
