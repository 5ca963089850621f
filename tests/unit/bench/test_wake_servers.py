"""The smaller servers of `bench.cpu_wake` answer what the bench's client reads: an HTTP
response with a content-length, for each request on one connection."""

from __future__ import annotations

import asyncio
from typing import Any

from bench.cpu_wake import _posts
from bench.wake_servers import BODY, _serve, raw_app
from shared.runtime.nats_server import free_port


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
    port = free_port()
    server = asyncio.create_task(_serve(port))
    try:
        for _ in range(50):
            try:
                await _posts(port, 0.0, 20)  # reads 20 full responses, or raises
                break
            except OSError:
                await asyncio.sleep(0.05)  # not listening yet
        else:
            raise AssertionError("the stream server never answered")
    finally:
        server.cancel()
