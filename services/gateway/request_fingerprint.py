"""What makes two requests with one Idempotency-Key "the same request", and which answers are
kept: only those of requests that started executing (Stripe)."""

from __future__ import annotations

import hashlib

import orjson
from starlette.types import Scope

# Refusals before anything ran: not stored, so a corrected retry may reuse the key.
NOT_STARTED_CODES = frozenset({"validation_error", "bad_request"})


def canonical_body(body: bytes) -> bytes:
    """The body as canonical JSON (sorted keys, no whitespace), or as sent if it is not JSON."""
    if not body:
        return body
    try:
        return orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        return body


def fingerprint(scope: Scope, body: bytes) -> str:
    h = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")):
        h.update(part.encode() + b"\0")
    h.update(canonical_body(body))
    return h.hexdigest()


def started_executing(status: int, body: bytes) -> bool:
    """False for a refusal issued before the route ran (malformed or invalid input)."""
    if status not in (400, 422):
        return True
    try:
        return orjson.loads(body).get("code") not in NOT_STARTED_CODES
    except (orjson.JSONDecodeError, AttributeError):
        return True
