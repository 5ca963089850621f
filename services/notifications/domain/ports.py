"""Provider interfaces the use cases need: channels (email, SMS, push), the template renderer,
the partner webhook sender and signer, the thank-you card printer, and the SSRF check.

Channels: what the delivery use case needs from email, SMS and push providers.

Sending is split at the provider's *point of no return*, because no provider here is
idempotent and a process can die at any instant:

- `prepare(message)` does everything that is safe to repeat (connect, authenticate, announce
  the sender and recipient) and answers with a `Handoff`, or with a failure `SendOutcome`.
- `Handoff.hand_over()` is the one step after which the provider may have accepted the message
  (SMTP: DATA and its terminating dot). The delivery worker records durably that it is about to
  take this step, so after a crash it knows which messages are *uncertain* rather than unsent.
- `confirm(message)` asks the provider whether it accepted a message whose hand-over was
  interrupted. Most providers cannot say (`Receipt.UNKNOWN`); the worker then follows its
  policy (hold for an agent, or resend with the same Message-ID).

Channels never raise for provider failures, so the caller can record and retry uniformly.
Permanent failures (bad number, unknown token, mailbox refused) are not retried; transient ones
are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from .channels import Part
from .messages import DeliveryKey
from .thank_you_card import ThankYouCard


class SendStatus(StrEnum):
    SENT = "sent"
    TRANSIENT_FAILURE = "transient_failure"
    PERMANENT_FAILURE = "permanent_failure"
    # The hand-over broke off with no answer (connection lost, timeout after the message was
    # written): the provider may or may not have the message.
    UNCERTAIN = "uncertain"


class Receipt(StrEnum):
    """The provider's answer to "did you accept this message?"."""

    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SendOutcome:
    status: SendStatus
    provider_message_id: str | None = None
    error: str | None = None

    @property
    def retryable(self) -> bool:
        return self.status is SendStatus.TRANSIENT_FAILURE


@dataclass(frozen=True)
class OutboundEmail:
    key: DeliveryKey
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class OutboundShortMessage:
    """SMS or push: a short text (and for push a title)."""

    key: DeliveryKey
    to: str  # E.164 phone number or device token
    text: str
    title: str = ""


class Handoff(Protocol):
    async def hand_over(self) -> SendOutcome: ...

    async def close(self) -> None:
        """Release the connection: after the outcome is recorded, or instead of handing over."""


M = TypeVar("M", contravariant=True)


class Channel(Protocol[M]):
    async def prepare(self, message: M) -> Handoff | SendOutcome: ...

    async def confirm(self, message: M) -> Receipt: ...


EmailChannel = Channel[OutboundEmail]
SmsProvider = Channel[OutboundShortMessage]
PushProvider = Channel[OutboundShortMessage]


class SingleCallHandoff:
    """For providers whose whole send is one call: nothing to prepare, the call is the handoff."""

    def __init__(self, send: Callable[[], Awaitable[SendOutcome]]) -> None:
        self._send = send

    async def hand_over(self) -> SendOutcome:
        return await self._send()

    async def close(self) -> None:
        return None


async def send_now(channel: Channel[M], message: M) -> SendOutcome:
    """Prepare and hand over in one go (previews, tests): no crash window to record."""
    prepared = await channel.prepare(message)
    if isinstance(prepared, SendOutcome):
        return prepared
    try:
        return await prepared.hand_over()
    finally:
        await prepared.close()


# Templates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str
    short_text: str  # for SMS and push: one line, at most 160 characters


class Renderer(Protocol):
    """Renders message `kind` for `locale` (the subject and `parts`, the others left empty);
    raises `RenderError` when it cannot."""

    def __call__(
        self, kind: str, locale: str, context: Mapping[str, Any], parts: frozenset[Part] = ...
    ) -> RenderedMessage: ...


CardPrinter = Callable[[ThankYouCard], bytes]
"""Prints the thank-you card: PDF bytes."""


# Partner webhooks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    duration_ms: int = 0
    response_snippet: str = ""


class WebhookPoster(Protocol):
    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult: ...


class WebhookSigner(Protocol):
    """The Standard Webhooks headers for one attempt, signed with every active secret."""

    def __call__(
        self, msg_id: str, timestamp: datetime, body: str, secrets: Sequence[str]
    ) -> dict[str, str]: ...


TargetCheck = Callable[[str], Awaitable[None]]
"""Refuses (`WebhookTargetRefused`) a URL that points inside the network."""

NewSecret = Callable[[], str]
"""A fresh signing secret."""
