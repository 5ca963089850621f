"""Live updates: the gateway's SSE streams, relayed for the signed-in user.

The browser cannot send the user's bearer token to the gateway itself (it lives in the HttpOnly
session cookie), so the console opens the stream server-side with the token and relays one
`update` event per upstream event. The page then re-reads its live part (one GET) through htmx:
the stream says *that* something changed, the page shows *what*. The gateway's first event
(`ready`, once subscribed) is relayed as an update too, so a change made between rendering the
page and subscribing (a card declined in 100 ms) or during a reconnect is never missed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.routes.common import ID_PATTERN, ObjectId
from services.web.session import CurrentUser

router = APIRouter(prefix="/live")
# Refusals that another try would get again (signed out, not allowed, gone): the page stops
# following and says so. Every other failure is retried by the browser.
FINAL = frozenset({401, 403, 404})
CustomerQuery = Annotated[str | None, Query(max_length=64, pattern=ID_PATTERN)]


async def _relay(api: Gateway, path: str) -> AsyncIterator[bytes]:
    yield b"retry: 3000\n\n"
    try:
        async with api.stream(path) as upstream:
            event = ""
            async for line in upstream.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line == "" and event:
                    # `ready` too: whatever happened between rendering the page and subscribing
                    # (or while reconnecting) is re-read once, then every event follows.
                    yield f"event: update\ndata: {event}\n\n".encode()
                    event = ""
                elif line.startswith(":"):
                    yield b": heartbeat\n\n"  # keeps proxies from closing a quiet stream
    except httpx.TransportError:
        return  # the gateway went away mid-stream: the browser reconnects, as below
    except ApiError as exc:
        if exc.status in FINAL:
            yield f"event: problem\ndata: {exc.code}\n\n".encode()
        # Anything else (the gateway restarting or unreachable, a 5xx, a 429) passes: the
        # response ends, and the browser's EventSource reconnects after `retry`, then re-reads
        # the page once (the gateway's `ready`), so nothing that happened meanwhile is missed.


def _stream(api: Gateway, path: str) -> Response:
    return StreamingResponse(_relay(api, path), media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no"})  # fmt: skip


@router.get("/claims/{claim_id}")
async def claim_updates(claim_id: ObjectId, user: CurrentUser, api: Api) -> Response:
    return _stream(api, f"/v1/claims/{claim_id}/stream")


@router.get("/orders/{order_id}")
async def order_updates(order_id: ObjectId, user: CurrentUser, api: Api,
                        customer_id: CustomerQuery = None) -> Response:  # fmt: skip
    # `returns=true`: the order's returns move on their own events (picked up, scanned in,
    # refunded); the gateway puts them on this one stream, so the page follows them too.
    suffix = f"&customer_id={customer_id}" if user.is_agent and customer_id else ""
    return _stream(api, f"/v1/orders/{order_id}/stream?returns=true{suffix}")


@router.get("/inbox")
async def inbox_updates(user: CurrentUser, api: Api) -> Response:
    return _stream(api, "/v1/me/notifications/stream")
