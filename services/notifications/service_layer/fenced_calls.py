"""Calls into a channel adapter, each fenced: a provider adapter's bug must not kill the
delivery worker, and the fallback answer is the cautious one for its step."""

from __future__ import annotations

from typing import Any

import structlog

from ..domain.ports import Channel, Handoff, Receipt, SendOutcome, SendStatus

log = structlog.get_logger()


async def prepare(channel: Channel[Any], message: Any) -> Handoff | SendOutcome:
    try:
        return await channel.prepare(message)
    except Exception as exc:
        log.exception("message.prepare_crashed")
        return SendOutcome(SendStatus.TRANSIENT_FAILURE, error=type(exc).__name__)


async def hand_over(prepared: Handoff) -> SendOutcome:
    try:
        return await prepared.hand_over()
    except Exception as exc:  # it may have got as far as the provider: not a plain failure
        log.exception("message.handoff_crashed")
        return SendOutcome(SendStatus.UNCERTAIN, error=type(exc).__name__)


async def confirm(channel: Channel[Any], message: Any) -> Receipt:
    try:
        return await channel.confirm(message)
    except Exception:
        log.exception("message.confirm_crashed")
        return Receipt.UNKNOWN


async def close(prepared: Handoff) -> None:
    try:
        await prepared.close()
    except Exception:
        log.exception("message.close_crashed")
