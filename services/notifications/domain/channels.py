"""The delivery channels and message categories every other module speaks in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    IN_APP = "in_app"


class Category(StrEnum):
    # Service messages about the customer's own claim or order: can be moved between channels
    # but never switched off entirely.
    TRANSACTIONAL = "transactional"
    # Promotional messages: opt-in, and can be switched off completely.
    MARKETING = "marketing"


class Part(StrEnum):
    """A part of a rendered message besides its subject (which every channel shows)."""

    TEXT = "text"
    HTML = "html"
    SHORT_TEXT = "short_text"


ALL_PARTS = frozenset(Part)
# What each channel shows of a message: a part no planned channel shows is not rendered (it is
# stored empty). The in-app inbox shows the subject and the text; the HTML body (a third of a
# message's rendering) and the short text would be rendered for nothing there.
PARTS_SHOWN: Mapping[Channel, frozenset[Part]] = {
    Channel.IN_APP: frozenset({Part.TEXT}),
    Channel.EMAIL: frozenset({Part.TEXT, Part.HTML}),
    Channel.SMS: frozenset({Part.SHORT_TEXT}),
    Channel.PUSH: frozenset({Part.SHORT_TEXT}),
}


# Channels that wake people up; only these are held back during quiet hours.
INTERRUPTING_CHANNELS = frozenset({Channel.SMS, Channel.PUSH})


_LEADING_CODE = re.compile(r"[A-Za-z0-9_.-]+")


def error_code(error: str | None) -> str:
    """The code at the head of a provider's error (`SMTPRecipientsRefused`, `sms_invalid_number`).

    Provider messages can quote the recipient (`{'jane@example.com': (550, ...)}`): events carry
    this code only; the full text stays on the delivery row for agents.
    """
    found = _LEADING_CODE.match((error or "").strip())
    return found.group(0)[:64] if found else "unknown"
