"""Idempotency records are compact JSON, and records written by the stdlib encoder (with spaces,
as gateways before orjson stored them) are still read: a replica upgrade keeps every key."""

from __future__ import annotations

import base64
import json

import httpx

from services.gateway.idempotency import fingerprint, kv_key_for
from services.gateway.idempotency_lease import Claim
from services.gateway.idempotency_store import IdempotencyStore
from tests.support.gateway.fakes import FakeKV
from tests.support.gateway.harness import Harness

URL = "/v1/test/things"
BODY = {"name": "handbag", "quantity": 1}


async def test_a_done_record_written_by_the_stdlib_encoder_is_replayed(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    scope = {"method": "POST", "path": URL, "query_string": b""}
    stored = {
        "state": "done",
        "fingerprint": fingerprint(scope, json.dumps(BODY, separators=(",", ":")).encode()),
        "status": 201,
        "headers": [["content-type", "application/json"]],
        "body": base64.b64encode(b'{"id":"old"}').decode(),
    }
    key = kv_key_for("customer:cust-1", f"POST {URL}", "k-old")
    await harness.idempotency_kv.create(key, json.dumps(stored).encode())
    r = await aclient.post(URL, json=BODY, headers={**harness.auth(), "Idempotency-Key": "k-old"})
    assert r.status_code == 201 and r.content == b'{"id":"old"}'
    assert r.headers["idempotent-replayed"] == "true"
    assert harness.counter.executions == 0


async def test_a_stored_record_is_compact_json_of_the_same_fields(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "k-new"}
    assert (await aclient.post(URL, json=BODY, headers=headers)).status_code == 201
    entry = next(v for v in harness.idempotency_kv._data.values() if v is not None)
    record = json.loads(entry.value)
    assert set(record) == {"state", "fingerprint", "status", "headers", "body"}
    assert record["state"] == "done" and record["status"] == 201
    assert entry.value == json.dumps(record, separators=(",", ":")).encode()


async def test_the_stored_headers_are_those_kept_whatever_their_case() -> None:
    """`complete` keeps content-type, location, etag and retry-after (compared as bytes, in any
    case) with their names and values as sent, and nothing else."""
    kv = FakeKV()
    store = IdempotencyStore(kv)
    revision = await kv.create("k", b"{}")
    claim = Claim("k", "fp", revision, 0.0, "")
    sent = [(b"Content-Type", b"application/json"), (b"x-request-id", b"r"),
            (b"LOCATION", b"/v1/orders/o-1"), (b"etag", b'"1"'), (b"retry-after", b"1"),
            (b"content-length", b"2"), (b"caf\xe9", b"\xe9")]  # fmt: skip
    await store.complete(claim, 201, sent, b"{}")
    stored = json.loads((await kv.get("k")).value)
    assert stored["headers"] == [["Content-Type", "application/json"],
                                 ["LOCATION", "/v1/orders/o-1"], ["etag", '"1"'],
                                 ["retry-after", "1"]]  # fmt: skip
