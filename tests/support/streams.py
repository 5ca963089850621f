"""Reading a whole JetStream stream, for checkers that compare it with the databases."""

from __future__ import annotations

import asyncio
from typing import Any

import nats
import nats.js.errors
from nats.js.api import ConsumerConfig, DeliverPolicy

UNAVAILABLE_RETRIES = 20


async def stream_messages(js: Any, stream: str, *, fetch_timeout: float = 5.0) -> list[Any]:
    """Every message of `stream`, oldest first, through an ephemeral in-memory pull consumer
    (the services' durable consumers are left alone)."""
    if (await js.stream_info(stream)).state.messages == 0:
        return []
    config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, mem_storage=True)
    sub = await js.pull_subscribe("", stream=stream, config=config)
    messages: list[Any] = []
    unavailable = 0
    try:
        while True:
            try:
                batch = await sub.fetch(500, timeout=fetch_timeout)
            except TimeoutError:  # nats-py raises its own or, at fetch's deadline, asyncio's
                break
            except nats.js.errors.ServiceUnavailableError:
                # On an R3 cluster the new consumer may have no leader yet (a 503 delivers
                # nothing): ask again, a bounded number of times.
                unavailable += 1
                if unavailable > UNAVAILABLE_RETRIES:
                    raise
                await asyncio.sleep(0.5)
                continue
            for msg in batch:
                await msg.ack()
                messages.append(msg)
            if batch and batch[-1].metadata.num_pending == 0:
                break
    finally:
        await sub.unsubscribe()
    return messages
