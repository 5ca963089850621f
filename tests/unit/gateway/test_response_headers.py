"""`response_headers.stamped` gives every answer exactly the headers Starlette's `MutableHeaders`
gave it (`headers["X-Request-ID"] = ...` then one `setdefault` per default), in the same order."""

from __future__ import annotations

import itertools

import pytest
from starlette.datastructures import MutableHeaders

from services.gateway.middleware import API_CSP, HSTS, SECURITY_HEADERS, RequestContextMiddleware
from services.gateway.response_headers import encoded, stamped

API = [
    *SECURITY_HEADERS.items(),
    ("Content-Security-Policy", API_CSP),
    ("Cache-Control", "no-store"),
]
DOCS = list(SECURITY_HEADERS.items())


def _before(raw: list[tuple[bytes, bytes]], request_id: str, defaults: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:  # fmt: skip
    message = {"type": "http.response.start", "status": 200, "headers": list(raw)}
    headers = MutableHeaders(scope=message)
    headers["X-Request-ID"] = request_id
    for name, value in defaults:
        headers.setdefault(name, value)
    return list(message["headers"])


APP_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", b"12"),
    (b"x-request-id", b"from-the-app"),
    (b"cache-control", b"private"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-request-id", b"a-duplicate"),
    (b"location", b"/v1/orders/ord-1"),
]


@pytest.mark.parametrize("defaults", [API, DOCS, [*API, ("Strict-Transport-Security", HSTS)]])
def test_same_headers_in_the_same_order_as_mutable_headers(defaults: list[tuple[str, str]]) -> None:  # fmt: skip
    cases = 0
    for n in range(4):
        for raw in itertools.permutations(APP_HEADERS, n):
            got = stamped(list(raw), b"req-1", encoded(defaults))
            assert got == _before(list(raw), "req-1", defaults), raw
            cases += 1
    assert cases > 200


async def test_the_middleware_stamps_api_and_docs_answers_as_before() -> None:
    sent: list[dict[str, object]] = []

    async def app(scope: object, receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 200,  # type: ignore[operator]
                    "headers": [(b"content-type", b"text/html")]})  # fmt: skip
        await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    from services.gateway.middleware import Metrics

    middleware = RequestContextMiddleware(app, Metrics(), hsts=True)
    for path, defaults in (("/v1/orders", API), ("/docs", DOCS)):
        sent.clear()
        scope = {"type": "http", "method": "GET", "path": path,
                 "headers": [(b"x-request-id", b"abc")]}  # fmt: skip
        await middleware(scope, receive, send)  # type: ignore[arg-type]
        expected = _before([(b"content-type", b"text/html")], "abc",
                           [*defaults, ("Strict-Transport-Security", HSTS)])  # fmt: skip
        assert sent[0]["headers"] == expected
