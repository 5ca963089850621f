"""Channel interfaces: what the delivery use case needs from email, SMS and push providers.

A channel takes one rendered message for one address and answers with an outcome; it never
raises for provider failures, so the caller can record and retry uniformly. Permanent failures
(bad number, unknown token, mailbox refused) are not retried; transient ones are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ..domain.messages import DeliveryKey


class SendStatus(StrEnum):
    SENT = "sent"
    TRANSIENT_FAILURE = "transient_failure"
    PERMANENT_FAILURE = "permanent_failure"


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


class EmailChannel(Protocol):
    async def send(self, message: OutboundEmail) -> SendOutcome: ...


class SmsProvider(Protocol):
    async def send(self, message: OutboundShortMessage) -> SendOutcome: ...


class PushProvider(Protocol):
    async def send(self, message: OutboundShortMessage) -> SendOutcome: ...
