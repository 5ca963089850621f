"""Unique Idempotency-Keys for generated requests (shared by the pytest fuzzers and the CLI hook)."""

from __future__ import annotations

import uuid

# The published limit (services/gateway/docs.py): 255 characters, a 33-character suffix.
_PREFIX_MAX = 255 - 33


def unique_key(generated: str) -> str:
    """The generated key as a prefix (its format is still exercised) made unique."""
    return f"{generated[:_PREFIX_MAX]}-{uuid.uuid4().hex}"
