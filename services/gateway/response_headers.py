"""The headers every answer gets: its request id, and the security headers the app did not set.

What `RequestContextMiddleware` did with Starlette's `MutableHeaders` (`headers[X-Request-ID] =`
then one `setdefault` per header), in one pass over the raw list: each `setdefault` scanned the
list again and re-encoded its name and value, about 20 scans of a dozen headers per answer.
Same result, same order (tests/unit/gateway/test_response_headers.py compares the two).
"""

from __future__ import annotations

from collections.abc import Iterable

REQUEST_ID_KEY = b"x-request-id"
Raw = list[tuple[bytes, bytes]]


def encoded(headers: Iterable[tuple[str, str]]) -> tuple[tuple[bytes, bytes], ...]:
    """Defaults as raw ASGI pairs, in the order they are added."""
    return tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers)


def stamped(raw: Raw, request_id: bytes, defaults: tuple[tuple[bytes, bytes], ...]) -> Raw:
    """`raw` with the request id set (an existing one replaced in place, its duplicates
    dropped, else appended) and each default appended unless its header is already there."""
    out: Raw = []
    placed = False
    for key, value in raw:
        if key == REQUEST_ID_KEY:
            if not placed:
                out.append((key, request_id))
                placed = True
            continue
        out.append((key, value))
    if not placed:
        out.append((REQUEST_ID_KEY, request_id))
    present = {key for key, _ in out}
    out.extend(pair for pair in defaults if pair[0] not in present)
    return out
