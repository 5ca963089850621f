"""Verified JWTs, remembered until they expire, so a caller's token is not decoded and verified
again on every request.

Keyed by the raw token string: a token's claims cannot change without changing the token, so
the answer of a successful verification holds for as long as the token itself does. An entry
is served only while all of these hold:

- the token has not expired: `exp` is compared without the decoder's leeway, so the cache
  never accepts a token longer than verification would;
- it was verified less than `max_age` seconds ago: signing keys can be rotated or withdrawn at
  the identity provider (JWKS), and re-verifying at least that often means a withdrawn key
  stops being honoured no later than the JWKS client's own key cache would let it;
- nobody called `clear()` since (a key change known to the process).

Only successes are stored: a refused token is verified (and refused) again each time, with the
same error. The least recently used entry goes first beyond `max_size`, so memory is bounded
whatever tokens callers send.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")

DEFAULT_MAX_SIZE = 10_000
DEFAULT_MAX_AGE = 60.0  # seconds; PyJWKClient keeps fetched keys for 300 s


@dataclass(frozen=True)
class _Entry(Generic[V]):
    value: V
    expires_at: float
    verified_at: float


class VerifiedTokenCache(Generic[V]):
    def __init__(
        self,
        max_size: int = DEFAULT_MAX_SIZE,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if max_size < 1 or max_age <= 0:
            raise ValueError("max_size and max_age must be positive")
        self._entries: OrderedDict[str, _Entry[V]] = OrderedDict()
        self._max_size = max_size
        self._max_age = max_age
        self._clock = clock

    def _now(self) -> float:
        # time.time looked up on each call (not bound once), so a test that moves the clock
        # of the whole process moves this one too.
        return self._clock() if self._clock is not None else time.time()

    def get(self, token: str) -> V | None:
        """The value verified for `token`, or None when it must be verified (again)."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        now = self._now()
        if now >= entry.expires_at or now - entry.verified_at >= self._max_age:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return entry.value

    def put(self, token: str, value: V, expires_at: float) -> None:
        """Remember a successful verification of `token`, valid until `expires_at` (epoch s)."""
        now = self._now()
        if expires_at <= now:
            return
        self._entries[token] = _Entry(value, expires_at, now)
        self._entries.move_to_end(token)
        while len(self._entries) > self._max_size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
