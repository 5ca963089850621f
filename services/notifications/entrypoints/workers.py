"""The background loops: deliver due messages and due webhook deliveries, forever."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol


class Worker(Protocol):
    async def run_once(self) -> int: ...


async def run_forever(worker: Worker, poll_interval: float) -> None:
    """Work while there is work; when a pass finds nothing, wait `poll_interval` seconds."""
    while True:
        if await worker.run_once() == 0:
            await asyncio.sleep(poll_interval)


def deliver_messages(worker: Worker, poll_interval: float) -> Callable[[Any], Awaitable[None]]:
    """The message delivery loop, as a runtime background task (named for its logs)."""

    async def deliver_messages(_rt: Any) -> None:
        await run_forever(worker, poll_interval)

    return deliver_messages


def deliver_webhooks(worker: Worker, poll_interval: float) -> Callable[[Any], Awaitable[None]]:
    """The webhook delivery loop, as a runtime background task (named for its logs)."""

    async def deliver_webhooks(_rt: Any) -> None:
        await run_forever(worker, poll_interval)

    return deliver_webhooks
