"""How the live streams are documented in OpenAPI: each event's `id`, `event` name and the JSON
schema of its `data`, so a client (or schemathesis) can check every event it receives."""

from __future__ import annotations

from typing import Any

from services.gateway.errors import problem_responses
from services.gateway.sse import LAST_EVENT_ID_PATTERN
from shared.contracts.envelope import RawEvent

READY_DATA = {
    "type": "object",
    "description": "The first event of a new connection: where the stream starts.",
    "required": ["position"],
    "properties": {"position": {"type": "integer", "minimum": 0}},
}


def sse_response(event_pattern: str, events: str) -> dict[str, Any]:
    """OpenAPI `responses={200: ...}` of a stream endpoint: each event's `id`, `event` name and
    JSON `data` schema (OpenAPI 3.1 describes one event of a `text/event-stream` per schema)."""
    return {
        "description": (
            "Server-Sent Events: first `event: ready` (its `id` is the current position), then one "
            f"event per CloudEvent ({events}; `event` = type, `id` = stream sequence, `data` = "
            "the CloudEvent JSON), and `: heartbeat` comments when quiet. Reconnect with "
            "`Last-Event-ID` to resume after the last event seen; a resumed connection sends no "
            "`ready`. Past events: use the object's GET/timeline."
        ),
        "content": {"text/event-stream": {"schema": _event_schema(event_pattern, events)}},
    }


def _event_schema(event_pattern: str, events: str) -> dict[str, Any]:
    cloud_event = RawEvent.model_json_schema(mode="serialization")
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "id": {
                "type": "string",
                "pattern": LAST_EVENT_ID_PATTERN,
                "description": "The stream sequence: send the last one seen as `Last-Event-ID`.",
            },
            "event": {
                "type": "string",
                "pattern": f"^(ready|{event_pattern})$",
                "description": f"`ready` first, then the CloudEvent type ({events}).",
            },
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {"anyOf": [READY_DATA, cloud_event]},
                "description": 'JSON: `{"position": n}` for `ready`, else the CloudEvent.',
            },
            "retry": {"type": "integer", "minimum": 0},
        },
    }


CLAIM_EVENTS_RESPONSE = sse_response(r"warranty\.claim\.[a-z_]+", "`warranty.claim.*`")
ORDER_EVENTS_RESPONSE = sse_response(
    r"orders\.(order|return)\.[a-z_]+",
    "`orders.order.*`, and with `returns=true` its returns' `orders.return.*`",
)
RETURN_EVENTS_RESPONSE = sse_response(r"orders\.return\.[a-z_]+", "`orders.return.*`")
INBOX_EVENTS_RESPONSE = sse_response(
    r"notifications\.message\.delivered", "`notifications.message.delivered`, in-app only"
)

# Errors a stream endpoint can answer before the stream starts (400: a bad Last-Event-ID; 429:
# too many streams for this caller), besides those of the object's GET.
STREAM_ERRORS = problem_responses(400, 401, 403, 404, 429, 503, 504)
