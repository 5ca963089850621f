"""What the end-to-end stories do through the public API: compress the sandbox carrier's clock,
post with a fresh Idempotency-Key, wait for a status, read a subject's events off a stream.

One copy for every story module (orders, returns, notifications, demo), so a change to how a
story talks to the stack is made once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import nats
import orjson
import pytest

# The sandbox carrier books at once, leaves the warehouse after 30 s and delivers after 90 s by
# default; the stories compress that to seconds (and the sweeps and polls that watch it).
FAST_ORDERS = {
    "ORDERS_CARRIER_IN_TRANSIT_AFTER": "1",
    "ORDERS_CARRIER_DELIVERED_AFTER": "2",
    "ORDERS_SAGA_SWEEP_INTERVAL": "0.5",
    "ORDERS_TRACKING_POLL_INTERVAL": "0.5",
}
FAST_RETURNS = {
    "ORDERS_CARRIER_RETURN_PICKED_UP_AFTER": "2",
    "ORDERS_CARRIER_RETURN_SCANNED_IN_AFTER": "4",
    "ORDERS_RETURN_SWEEP_INTERVAL": "0.5",
    "ORDERS_RETURN_POLL_INTERVAL": "0.5",
}


@contextmanager
def environment(*settings: dict[str, str]) -> Iterator[None]:
    """These settings in the environment of the stack a module starts, for that module only."""
    with pytest.MonkeyPatch.context() as mp:
        for group in settings:
            for name, value in group.items():
                mp.setenv(name, value)
        yield


def post(client: Any, url: str, body: Any = None) -> Any:
    """A POST as a well-behaved client sends it: with its own Idempotency-Key."""
    return client.post(url, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})


def wait_until(check: Callable[[], Any], timeout: float = 40.0, interval: float = 0.3) -> Any:
    """`check()` until it returns something truthy or the time is up; its last value either way
    (the caller's assertion then shows what the stack reached)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def wait_for_status(client: Any, url: str, wanted: str, timeout: float = 40.0) -> dict[str, Any]:
    """GET `url` until its `status` is `wanted`; the last answer either way."""
    last: dict[str, Any] = {}

    def reached() -> bool:
        nonlocal last
        last = client.get(url).json()
        return last.get("status") == wanted

    wait_until(reached, timeout)
    return last


async def stream_events(nats_url: str, subjects: str, stream: str, subject_id: str) -> list[dict]:
    """Every event on `stream` matching `subjects` whose `subject` is `subject_id`, in order."""
    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().subscribe(subjects, stream=stream, ordered_consumer=True)
        found: list[dict] = []
        try:
            while True:
                event = orjson.loads((await sub.next_msg(timeout=1)).data)
                if event["subject"] == subject_id:
                    found.append(event)
        except TimeoutError:  # nats-py raises its own or, at fetch's deadline, asyncio's
            pass
        await sub.unsubscribe()
        return found
    finally:
        await nc.close()
