"""The delivery channels and message categories every other module speaks in."""

from __future__ import annotations

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


# Channels that wake people up; only these are held back during quiet hours.
INTERRUPTING_CHANNELS = frozenset({Channel.SMS, Channel.PUSH})
