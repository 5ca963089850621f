"""Unique Idempotency-Keys for generated requests (shared by the pytest fuzzers and the CLI hook)."""

from __future__ import annotations

import re
import uuid

# The published limit (services/gateway/docs.py): 255 characters, a 33-character suffix.
_PREFIX_MAX = 255 - 33
# The published format (services/gateway/idempotency.py::_KEY_RE).
_VALID = re.compile(r"^[\x21-\x7e]{1,255}$")


def unique_key(generated: str) -> str:
    """The generated key as a prefix (its format is still exercised) made unique. A key outside
    the published format (empty, too long, a space...) is a negative case: it is sent as drawn,
    since the gateway must refuse it, and a suffix or a cut would make an empty or too long key
    valid (the fuzzer then reports the request it thinks invalid as wrongly accepted)."""
    if not _VALID.match(generated):
        return generated
    return f"{generated[:_PREFIX_MAX]}-{uuid.uuid4().hex}"
