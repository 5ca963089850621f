"""The gateway's SSE response sends each event without a cancel scope of its own when no send
timeout is set (the gateway sets none), and keeps sse-starlette's timeout when one is set."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from sse_starlette import ServerSentEvent, sse
from sse_starlette.sse import SendTimeoutError

from services.gateway.sse_response import EventStreamResponse

SCOPE = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
         "path": "/v1/me/notifications/stream", "headers": []}  # fmt: skip


async def _events(n: int) -> AsyncIterator[ServerSentEvent]:
    for seq in range(n):
        yield ServerSentEvent(id=str(seq), event="message", data=f'{{"n":{seq}}}')


async def _client_stays() -> Any:
    await asyncio.sleep(3600)


async def test_events_go_out_in_order_without_a_scope_per_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scopes = 0
    real = anyio.move_on_after

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal scopes
        scopes += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(sse.anyio, "move_on_after", counted)
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    await EventStreamResponse(_events(50), ping=0)(SCOPE, _client_stays, send)
    bodies = [m["body"] for m in sent if m["type"] == "http.response.body" and m["body"]]
    assert bodies == [ServerSentEvent(id=str(i), event="message", data=f'{{"n":{i}}}').encode()
                      for i in range(50)]  # fmt: skip
    assert sent[0]["type"] == "http.response.start" and sent[-1]["more_body"] is False
    assert scopes == 0


async def test_a_send_timeout_still_applies() -> None:
    async def stuck(message: Any) -> None:
        if message["type"] == "http.response.body":
            await asyncio.sleep(3600)

    response = EventStreamResponse(_events(1), ping=0, send_timeout=0.05)
    with pytest.raises((SendTimeoutError, BaseExceptionGroup)) as raised:
        await response(SCOPE, _client_stays, stuck)
    group = raised.value
    if isinstance(group, BaseExceptionGroup):
        assert group.subgroup(SendTimeoutError) is not None
