"""The AsyncAPI 3.0 document of partner-visible events, built from `shared.contracts`.

Each event type in the registry with `partner_visible=True` becomes a channel (its NATS subject),
a message (the CloudEvents envelope with the typed `data` schema, and an example when the model's
fields carry examples) and a `receive` operation. Field descriptions of the contract models are
the documentation: nothing here is written by hand per event.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from shared.contracts.envelope import SPECVERSION, CloudEvent
from shared.contracts.registry import EventSpec, load_all

REF_TEMPLATE = "#/components/schemas/{model}"
EXAMPLE_TIME = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def _ident(event_type: str) -> str:
    return event_type.replace(".", "_")


def _camel(event_type: str) -> str:
    return "".join(part.capitalize() for part in event_type.split("."))


def example_data(model: type[BaseModel]) -> dict[str, Any]:
    """An example payload: the model's own examples where it has them, else values derived from
    its JSON Schema (first enum value, field examples, defaults, typed placeholders)."""
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if isinstance(examples, list) and examples and isinstance(examples[0], dict):
        return dict(examples[0])
    schema = model.model_json_schema()
    value = _example_from_schema(schema, schema.get("$defs", {}), "data")
    return value if isinstance(value, dict) else {}


_FORMAT_EXAMPLES = {
    "date-time": "2026-01-15T09:30:00Z",
    "date": "2026-01-15",
    "uuid": "6f1c2d3e-4b5a-4978-8796-a5b4c3d2e1f0",
    "uri": "https://partner.example/webhooks/concierge",
    "email": "someone@example.com",
}


def _example_from_schema(
    schema: dict[str, Any], defs: dict[str, Any], name: str, depth: int = 0
) -> Any:
    if depth > 8:
        return None
    if "$ref" in schema:
        return _example_from_schema(defs[schema["$ref"].split("/")[-1]], defs, name, depth + 1)
    for key in ("examples", "enum"):
        if schema.get(key):
            return schema[key][0]
    if "const" in schema:
        return schema["const"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(key, []) if o.get("type") != "null"]
        if options:
            return _example_from_schema(options[0], defs, name, depth + 1)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {k: _example_from_schema(v, defs, k, depth + 1) for k, v in properties.items()}
    if kind == "array":
        return [_example_from_schema(schema.get("items", {}), defs, name, depth + 1)]
    if kind == "string":
        return _FORMAT_EXAMPLES.get(schema.get("format", ""), _string_example(schema, name))
    if kind in ("integer", "number"):
        if "minimum" in schema:
            return schema["minimum"]
        return schema["exclusiveMinimum"] + 1 if "exclusiveMinimum" in schema else 1
    if kind == "boolean":
        return True
    return None


def _string_example(schema: dict[str, Any], name: str) -> str:
    text = f"{name}-1" if name.endswith("id") else name
    text = text[: schema.get("maxLength", len(text))].ljust(schema.get("minLength", 0), "x")
    pattern = schema.get("pattern")
    if pattern is None:
        return text
    for candidate in (text, text.replace("_", "-"), "ABC-123", "abc", "1"):
        if re.search(pattern, candidate):
            return candidate
    return text


def _envelope_example(spec: EventSpec) -> dict[str, Any]:
    return {
        "id": "0b5d0e5ad5f84c4c9d8f6f0d7f3a1c2e",
        "source": f"/concierge/{spec.type.split('.')[0]}",
        "type": spec.type,
        "subject": _example_subject(spec.type),
        "time": EXAMPLE_TIME.isoformat().replace("+00:00", "Z"),
        "specversion": SPECVERSION,
        "correlationid": "5f1c2d3e4b5a69788796a5b4c3d2e1f0",
        "datacontenttype": "application/json",
        "data": example_data(spec.model),
    }


def _example_subject(event_type: str) -> str:
    """The CloudEvents `subject`: the id of the object the event is about."""
    if event_type.startswith("warranty.batch."):
        return "NJ-2507-VT02"  # factory, ISO year and week, style
    return "CLM-2026-000123" if event_type.startswith("warranty.") else "ORD-2026-000456"


INFO_DESCRIPTION = (
    "Claim, order and production-batch events partners may receive (quality partners: "
    "`warranty.batch.flagged`, a batch whose defect rate is significantly high), as NATS subjects (subscribe with the "
    "partner credential) or as Standard Webhooks deliveries. Each message is a "
    "CloudEvents 1.0 JSON document; events carry ids and business facts, never "
    "personal data."
)
SERVERS = {
    "nats": {
        "host": "localhost:4222",
        "protocol": "nats",
        "description": "JetStream; partners get subscribe-only credentials.",
    }
}


def build_asyncapi(version: str = "1.0.0") -> dict[str, Any]:
    specs = sorted((s for s in load_all().values() if s.partner_visible), key=lambda s: s.type)
    envelopes: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (CloudEvent[s.model], "validation")  # type: ignore[name-defined]
        for s in specs
    ]
    refs, defs = models_json_schema(envelopes, ref_template=REF_TEMPLATE) if envelopes else ({}, {})
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for spec, envelope in zip(specs, envelopes, strict=True):
        ident = _ident(spec.type)
        messages[ident] = _message(spec, refs[envelope])
        channels[ident] = _channel(spec, ident)
        operations[f"receive{_camel(spec.type)}"] = _operation(spec, ident)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Concierge partner events",
            "version": version,
            "description": INFO_DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "servers": SERVERS,
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": defs.get("$defs", {})},
    }


def _message(spec: EventSpec, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": spec.type,
        "title": spec.type,
        "summary": spec.summary,
        "description": (getattr(spec.model, "__doc__", None) or spec.summary).strip(),
        "contentType": "application/json",
        "payload": payload,
        "examples": [{"name": "example", "payload": _envelope_example(spec)}],
    }


def _channel(spec: EventSpec, ident: str) -> dict[str, Any]:
    return {
        "address": spec.type,
        "title": spec.type,
        "description": f"{spec.summary} Published on JetStream; the CloudEvent `subject` is the object id.",
        "messages": {ident: {"$ref": f"#/components/messages/{ident}"}},
    }


def _operation(spec: EventSpec, ident: str) -> dict[str, Any]:
    return {
        "action": "receive",
        "channel": {"$ref": f"#/channels/{ident}"},
        "summary": spec.summary,
        "messages": [{"$ref": f"#/channels/{ident}/messages/{ident}"}],
    }
