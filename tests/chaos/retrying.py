"""A well-behaved client for crash-window tests: it retries a request with the same
Idempotency-Key and body until it gets a final answer, and says how long that took.

Retried: connection errors (the gateway died), 5xx (the service died, the RPC timed out),
429 and 409 `idempotency_request_in_progress`. Anything else is final.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.chaos.collect import query

RETRIED_CODES = {"idempotency_request_in_progress"}


@dataclass
class Outcome:
    status: int
    body: Any
    raw: bytes
    attempts: int
    seconds: float  # from the first attempt to the final answer
    key: str
    replayed: bool


def is_final(r: httpx.Response) -> bool:
    if r.status_code >= 500 or r.status_code == 429:
        return False
    if r.status_code == 409 and r.headers.get("content-type", "").startswith("application/prob"):
        return r.json().get("code") not in RETRIED_CODES
    return True


async def call_until_final(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: Any = None,
    *,
    key: str | None = None,
    deadline: float = 90.0,
    pause: float = 0.3,
) -> Outcome:
    key = key or uuid.uuid4().hex
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        try:
            r = await client.request(method, path, json=body, headers={"Idempotency-Key": key})
            if is_final(r):
                payload = r.json() if r.content else None
                return Outcome(r.status_code, payload, r.content, attempts,
                               time.monotonic() - started, key,
                               r.headers.get("idempotent-replayed") == "true")  # fmt: skip
        except httpx.TransportError:
            pass  # the gateway is down or restarting: the same key again
        if time.monotonic() - started > deadline:
            raise AssertionError(f"{method} {path}: no final answer in {deadline}s")
        await asyncio.sleep(pause)


def stored_reply(db: Path, operation: str, request_key: str) -> Any:
    """The reply a service recorded for a keyed command (None if it recorded none)."""
    import orjson

    rows = query(db, "SELECT reply FROM processed_requests "
                     f"WHERE operation = '{operation}' AND request_key = '{request_key}'")  # fmt: skip
    if not rows or rows[0]["reply"] is None:
        return None
    return orjson.loads(rows[0]["reply"])["data"]


def same_fields(http_body: dict[str, Any], service_reply: dict[str, Any]) -> list[str]:
    """Fields of the HTTP answer that differ from the service's recorded reply."""
    return [k for k, v in http_body.items() if k in service_reply and service_reply[k] != v]
