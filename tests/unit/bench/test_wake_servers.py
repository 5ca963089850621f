"""The smaller servers of `bench.cpu_wake` answer what the bench's client reads: an HTTP
response with a content-length, for each request on one connection."""

from __future__ import annotations

import asyncio
from typing import Any

from bench.cpu_wake import _posts
from bench.wake_servers import BODY, raw_app, serve
from shared.runtime.listen import listening_socket


async def test_the_raw_app_answers_a_post_with_201_and_its_body() -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await raw_app({"type": "http", "method": "POST"}, receive, send)
    assert sent[0]["status"] == 201
    assert (b"content-length", str(len(BODY)).encode()) in sent[0]["headers"]
    assert sent[1]["body"] == BODY


async def test_the_stream_server_answers_every_request_on_one_connection() -> None:
    sock = listening_socket("127.0.0.1", 0)
    server = asyncio.create_task(serve(sock))
    try:
        await _posts(int(sock.getsockname()[1]), 0.0, 20)  # reads 20 full responses, or raises
    finally:
        server.cancel()
