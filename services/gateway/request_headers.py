"""One request header read straight from the ASGI scope's raw list.

Starlette's `Request(scope).headers.get(name)` builds a Request and a Headers object to find one
value (about 3 us); the middlewares each read one or two headers on every request. ASGI servers
hand header names in lower case, and Starlette compares them as they are too, so a scan of the
raw list finds the same (first) value.
"""

from __future__ import annotations

from starlette.types import Scope


def first_header(scope: Scope, name: bytes) -> str | None:
    """The first value of header `name` (lower-case bytes), decoded as Latin-1, or None."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
