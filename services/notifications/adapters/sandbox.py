"""Sandbox SMS and push providers: they record what they would send and fail on cue.

Deterministic failures, like a payment provider's test mode:
- SMS to a number ending in 0000 fails permanently (invalid number); ending in 9999 fails
  transiently (provider busy).
- Push to a token starting with `invalid` fails permanently (unregistered device); starting
  with `flaky` fails transiently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.ports import OutboundShortMessage, Receipt, SendOutcome, SendStatus, SingleCallHandoff


@dataclass
class _Recorder:
    """A provider whose API is one call per message, recorded in memory (lost on restart)."""

    sent: list[OutboundShortMessage] = field(default_factory=list)
    attempts: int = 0

    async def send(self, message: OutboundShortMessage) -> SendOutcome:
        raise NotImplementedError

    async def prepare(self, message: OutboundShortMessage) -> SingleCallHandoff:
        return SingleCallHandoff(lambda: self.send(message))

    async def confirm(self, message: OutboundShortMessage) -> Receipt:
        return Receipt.UNKNOWN  # like most SMS/push APIs: no lookup by our own key

    def record(self, message: OutboundShortMessage, prefix: str) -> SendOutcome:
        self.sent.append(message)
        return SendOutcome(SendStatus.SENT, provider_message_id=f"{prefix}_{message.key.digest}")


class SandboxSmsProvider(_Recorder):
    async def send(self, message: OutboundShortMessage) -> SendOutcome:
        self.attempts += 1
        if message.to.endswith("0000"):
            return SendOutcome(SendStatus.PERMANENT_FAILURE, error="sms_invalid_number")
        if message.to.endswith("9999"):
            return SendOutcome(SendStatus.TRANSIENT_FAILURE, error="sms_provider_busy")
        return self.record(message, "sms")


class SandboxPushProvider(_Recorder):
    async def send(self, message: OutboundShortMessage) -> SendOutcome:
        self.attempts += 1
        if message.to.startswith("invalid"):
            return SendOutcome(SendStatus.PERMANENT_FAILURE, error="push_unregistered_token")
        if message.to.startswith("flaky"):
            return SendOutcome(SendStatus.TRANSIENT_FAILURE, error="push_provider_unavailable")
        return self.record(message, "push")
