"""How many live streams (SSE) one caller holds at once.

Every stream costs the gateway a connection and, for a claim or order stream, NATS an ordered
consumer (the inbox streams of a process share one, sse_feed.py) for as long as the client
stays, so an unbounded number per caller is a cheap way to exhaust both (OWASP API4). Counted
per gateway process: with N replicas behind a balancer a caller may hold up to N times the cap,
which still bounds the consumers per caller.
"""

from __future__ import annotations

from collections import Counter

from shared.errors import DomainError, ErrorKind

RETRY_AFTER_SECONDS = 5


class TooManyStreams(DomainError):
    code = "too_many_streams"
    kind = ErrorKind.RATE_LIMITED


class StreamLease:
    """One open stream; `release` may be called more than once (stream end and response end)."""

    def __init__(self, slots: StreamSlots, caller: str) -> None:
        self._slots = slots
        self._caller = caller
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._slots._give_back(self._caller)


class StreamSlots:
    def __init__(self, per_caller: int) -> None:
        self.per_caller = per_caller
        self._open: Counter[str] = Counter()

    def open(self, caller: str) -> StreamLease:
        """A lease for one more stream, or 429 `too_many_streams` when the caller is at the cap."""
        if self._open[caller] >= self.per_caller:
            raise TooManyStreams(
                f"At most {self.per_caller} live streams per caller; close one first.",
                details={"limit": self.per_caller, "retry_after": RETRY_AFTER_SECONDS},
            )
        self._open[caller] += 1
        return StreamLease(self, caller)

    def open_count(self, caller: str) -> int:
        return self._open[caller]

    def _give_back(self, caller: str) -> None:
        self._open[caller] -= 1
        if self._open[caller] <= 0:
            del self._open[caller]
