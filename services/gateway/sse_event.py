"""One JetStream message as the SSE event a caller may see, or nothing.

An event that names the agent who acted (`data.agent_id`: an agent placed the order or started
the return) reaches a customer with that id blanked, as the REST views blank it (`as_seen_by`:
staff ids are not the customer's business); so does a claim's review (`data.review_reasons`:
which checks sent it to an agent, kept from its owner by the claim view and the timeline too).
Agents see every event whole.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import orjson
import structlog
from sse_starlette import ServerSentEvent

log = structlog.get_logger()

# What an event's data says that only staff read, and what a customer reads instead.
STAFF_ONLY: dict[str, Any] = {"agent_id": None, "review_reasons": []}


def event_for_caller(
    msg: Any,
    stream: str,
    keep: Callable[[dict[str, Any]], bool],
    types: Collection[str] | None,
    staff: bool = True,
) -> ServerSentEvent | None:
    """The message as an SSE event, or None when it is unreadable, another object's, or of a
    type this caller may not see. `staff`: the caller is an agent (sees the agent's id)."""
    try:
        event = orjson.loads(msg.data)
    except orjson.JSONDecodeError:
        log.warning("sse.bad_event", stream=stream, subject=msg.subject)
        return None
    if not isinstance(event, dict) or not keep(event):
        return None
    if types is not None and event.get("type") not in types:
        return None
    data = event.get("data")
    if not staff and isinstance(data, dict) and any(data.get(k) for k in STAFF_ONLY):
        event["data"] = {**data, **{k: v for k, v in STAFF_ONLY.items() if k in data}}
        body = orjson.dumps(event).decode()
    else:
        body = msg.data.decode()  # as published: not parsed and written again
    return ServerSentEvent(
        id=str(msg.metadata.sequence.stream), event=str(event.get("type", "message")), data=body
    )
