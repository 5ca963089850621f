"""The AsyncAPI 3.0 document of partner-visible events, built from `shared.contracts`.

Each event type in the registry with `partner_visible=True` becomes a channel (its NATS subject),
a message (the CloudEvents envelope with the typed `data` schema, and an example when the model's
fields carry examples) and a `receive` operation. Field descriptions of the contract models are
the documentation: nothing here is written by hand per event.
"""

from __future__ import annotations

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


def example_data(model: type[BaseModel]) -> dict[str, Any] | None:
    """An example payload from the model's own examples (model-level first, then per field)."""
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if isinstance(examples, list) and examples and isinstance(examples[0], dict):
        return dict(examples[0])
    data: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if field.examples:
            data[key] = field.examples[0]
        elif field.is_required():
            return None  # cannot invent a value for a required field honestly
    return data


def _envelope_example(spec: EventSpec) -> dict[str, Any] | None:
    data = example_data(spec.model)
    if data is None:
        return None
    return {
        "id": "0b5d0e5ad5f84c4c9d8f6f0d7f3a1c2e",
        "source": f"/concierge/{spec.type.split('.')[0]}",
        "type": spec.type,
        "subject": "<object id>",
        "time": EXAMPLE_TIME.isoformat().replace("+00:00", "Z"),
        "specversion": SPECVERSION,
        "correlationid": "5f1c2d3e4b5a69788796a5b4c3d2e1f0",
        "datacontenttype": "application/json",
        "data": data,
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
        message: dict[str, Any] = {
            "name": spec.type,
            "title": spec.type,
            "summary": spec.summary,
            "description": (getattr(spec.model, "__doc__", None) or spec.summary).strip(),
            "contentType": "application/json",
            "payload": refs[envelope],
        }
        example = _envelope_example(spec)
        if example is not None:
            message["examples"] = [{"name": "example", "payload": example}]
        messages[ident] = message
        channels[ident] = {
            "address": spec.type,
            "title": spec.type,
            "description": f"{spec.summary} Published on JetStream; the CloudEvent `subject` is the object id.",
            "messages": {ident: {"$ref": f"#/components/messages/{ident}"}},
        }
        operations[f"receive{_camel(spec.type)}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{ident}"},
            "summary": spec.summary,
            "messages": [{"$ref": f"#/channels/{ident}/messages/{ident}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Concierge partner events",
            "version": version,
            "description": (
                "Claim and order events partners may receive, as NATS subjects (subscribe with the "
                "partner credential) or as Standard Webhooks deliveries. Each message is a "
                "CloudEvents 1.0 JSON document; events carry ids and business facts, never "
                "personal data."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "nats": {
                "host": "localhost:4222",
                "protocol": "nats",
                "description": "JetStream; partners get subscribe-only credentials.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": defs.get("$defs", {})},
    }
