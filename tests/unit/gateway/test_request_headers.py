"""`first_header` reads what Starlette's `Request(scope).headers.get` reads, without building a
Request and a Headers object per request (the body cap and the Idempotency-Key middleware use it
on every write)."""

from __future__ import annotations

import random

from starlette.requests import Request

from services.gateway.request_headers import first_header

NAMES = [b"content-length", b"idempotency-key", b"x-request-id", b"authorization", b"host"]


def _scope(headers: list[tuple[bytes, bytes]]) -> dict[str, object]:
    return {"type": "http", "method": "POST", "path": "/v1/orders", "headers": headers}


def test_first_header_equals_starlettes_headers_get() -> None:
    rng = random.Random(14)
    values = [b"", b"12", b"k-1", b"caf\xe9", b" padded ", b"a,b"]
    for _ in range(300):
        headers = [(rng.choice(NAMES), rng.choice(values)) for _ in range(rng.randrange(7))]
        scope = _scope(headers)
        for name in NAMES:
            assert first_header(scope, name) == Request(scope).headers.get(name.decode())


def test_a_repeated_header_reads_its_first_value() -> None:
    scope = _scope([(b"idempotency-key", b"first"), (b"idempotency-key", b"second")])
    assert first_header(scope, b"idempotency-key") == "first"
    assert first_header(scope, b"content-length") is None
