"""Each message once: the states a message's delivery goes through, and which writes may land.

No provider here is idempotent, so a message is sent at most once by keeping track of which
messages might have been handed over (the worker's protocol: service_layer/message_delivery.py).

A message whose hand-over broke off before the provider answered, and whose provider cannot say
whether it took it, is *held* for an agent. Held is stored, and shown in the message log, as
`"uncertain"` (the value the schema and the public API have always used); the code calls it
held everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.errors import InvalidTransition


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # planned, waiting for its send time or its next attempt
    SENDING = "sending"  # leased: the worker is about to hand it over (or died doing so)
    SENT = "sent"  # the provider took it
    DELIVERED = "delivered"  # in-app: stored in the inbox
    FAILED = "failed"  # final failure
    HELD = "uncertain"  # in doubt, waiting for an agent (stored and published as "uncertain")


S = DeliveryStatus

# Where each status may go next (declarative table).
TRANSITIONS: dict[DeliveryStatus, frozenset[DeliveryStatus]] = {
    S.PENDING: frozenset({S.SENDING, S.PENDING, S.FAILED, S.SENT}),  # SENT: a late answer
    S.SENDING: frozenset({S.SENT, S.PENDING, S.FAILED, S.HELD}),
    S.HELD: frozenset({S.SENT, S.PENDING}),  # an agent settles it (or a late "sent" lands)
    S.SENT: frozenset(),
    S.DELIVERED: frozenset(),
    S.FAILED: frozenset(),
}


class Step(StrEnum):
    LEASE = "lease"  # mark "about to hand over", attempts + 1
    REFUSE = "refuse"  # record the outcome of an attempt refused before any lease
    RECORD = "record"  # record the outcome of a leased attempt
    RECORD_SENT = "record_sent"  # record a "sent" answer, however late it comes
    HOLD = "hold"  # hold an attempt in doubt for an agent
    SETTLE = "settle"  # an agent settles a held message


# The fence rule: a write of each step lands only while the row is in one of these statuses
# and still has the attempt number the writer saw, so a worker whose view is stale (another
# leased, held or settled the row meanwhile) changes nothing. A "sent" that comes late still
# lands if nobody has leased the row again since: another worker may have held it, or queued a
# resend, in the meantime.
FENCES: dict[Step, tuple[DeliveryStatus, ...]] = {
    Step.LEASE: (S.PENDING,),
    Step.REFUSE: (S.PENDING,),
    Step.RECORD: (S.SENDING,),
    Step.RECORD_SENT: (S.SENDING, S.HELD, S.PENDING),
    Step.HOLD: (S.SENDING,),
    Step.SETTLE: (S.HELD,),
}


@dataclass(frozen=True)
class Fence:
    """Where a writer left a row: its status (one of) and its attempt count."""

    statuses: tuple[DeliveryStatus, ...]
    attempts: int

    @classmethod
    def for_step(cls, step: Step, attempts: int) -> Fence:
        return cls(FENCES[step], attempts)

    @classmethod
    def where_found(cls, message: Message) -> Fence:
        return cls((message.status,), message.attempts)

    def check(self, to: DeliveryStatus) -> None:
        """Refuse a write whose target no status of the fence may move to."""
        for status in self.statuses:
            if to not in TRANSITIONS[status]:
                raise InvalidTransition(f"a {status} message cannot become {to}")


@dataclass(frozen=True)
class Message:
    """One planned message on one channel to one recipient, as stored."""

    id: str  # DeliveryKey.digest
    event_id: str
    event_type: str
    kind: str
    channel: str
    recipient: str
    customer_id: str
    address: str
    subject: str
    text_body: str
    html_body: str
    short_text: str
    status: DeliveryStatus
    attempts: int
    send_at: datetime
    created_at: datetime
    event_time: datetime | None = None
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    provider_message_id: str | None = None
    sent_at: datetime | None = None
    correlation_id: str | None = None
