"""Customer contact details and notification preferences.

This service owns them: events carry only customer ids, and the address book lives here.
Plain Python (dataclasses, zoneinfo), validated on construction so an invalid value never
reaches storage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .channels import Category, Channel
from .errors import (
    InvalidContact,
    InvalidQuietHours,
    TransactionalChannelRequired,
    UnsupportedLocale,
)
from .messages import message_kind

SUPPORTED_LOCALES = ("en-US", "en-GB", "en-IE")
DEFAULT_TIME_ZONES = {
    "en-US": "America/New_York",
    "en-GB": "Europe/London",
    "en-IE": "Europe/Dublin",
}
# At least one of these must stay on for transactional messages: both reach the customer without
# depending on a phone or an installed app.
ALWAYS_ON_CANDIDATES = frozenset({Channel.EMAIL, Channel.IN_APP})

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")  # [0-9]: \d would take any Unicode digit


def normalise_locale(value: str) -> str:
    """Accept `en_GB`, `en-gb` and the like; refuse locales we have no templates for."""
    candidate = value.strip().replace("_", "-")
    for supported in SUPPORTED_LOCALES:
        if candidate.lower() == supported.lower():
            return supported
    raise UnsupportedLocale(
        f"locale {value!r} is not supported",
        details={"locale": value, "supported": list(SUPPORTED_LOCALES)},
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidContact(
            f"unknown time zone {name!r}",
            code="notifications_invalid_time_zone",
            details={"time_zone": name},
        ) from exc


def e164(phone: str) -> str:
    """The number as stored and searched: spaces, dashes, dots and brackets dropped, then E.164.
    A trunk zero in brackets, as UK numbers are often written ("+44 (0)7700 900123"), is not
    dialled after the country code: dropped, or it would be a different number."""
    number = re.sub(r"[\s\-().]", "", re.sub(r"\(\s*0\s*\)", "", phone))
    if not _E164.match(number):
        raise InvalidContact(
            "phone number must be in international format (+447700900123)",
            code="notifications_invalid_phone",
        )
    return number


def email_key(address: str) -> str:
    """An address as it is searched (stored beside it, `contacts.email_key`): people do not type
    an address's case the same way twice. Case-folded here, in Python, for every script: SQL's
    lower() in SQLite folds ASCII letters only ("JOSÉ" would stay "josÉ")."""
    return address.strip().casefold()


def lookup_key(email: str | None, phone: str | None) -> tuple[str, str]:
    """What an agent searches customers by, as stored: ("email", `email_key`) or ("phone",
    E.164). Exactly one of the two."""
    if (email is None) == (phone is None):
        raise InvalidContact(
            "give an email address or a phone number (one of them)",
            code="notifications_lookup_needs_one",
        )
    if phone is not None:
        return "phone", e164(phone)
    address = email_key(str(email))
    if not _EMAIL.match(address):
        raise InvalidContact("email address is not valid", code="notifications_invalid_email")
    return "email", address


@dataclass(frozen=True)
class Contact:
    """Where and how to reach one customer. `name` is only used to greet them."""

    customer_id: str
    name: str = ""
    email: str | None = None
    phone: str | None = None  # E.164, e.g. +447700900123
    push_tokens: tuple[str, ...] = ()
    locale: str = "en-US"
    time_zone: str | None = None  # IANA name; defaults from the locale

    def __post_init__(self) -> None:
        if not self.customer_id:
            raise InvalidContact("customer id is required", code="notifications_missing_customer")
        object.__setattr__(self, "locale", normalise_locale(self.locale))
        if self.email is not None and not _EMAIL.match(self.email):
            raise InvalidContact("email address is not valid", code="notifications_invalid_email")
        if self.phone is not None:
            object.__setattr__(self, "phone", e164(self.phone))
        tokens = tuple(dict.fromkeys(t.strip() for t in self.push_tokens if t.strip()))
        object.__setattr__(self, "push_tokens", tokens)
        zone_name = self.time_zone or DEFAULT_TIME_ZONES[self.locale]
        _zone(zone_name)
        object.__setattr__(self, "time_zone", zone_name)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.time_zone or DEFAULT_TIME_ZONES[self.locale])

    @property
    def greeting_name(self) -> str:
        """The name to greet with; empty when unknown (templates then name no one)."""
        return self.name.strip()

    def reachable_on(self, channel: Channel) -> bool:
        if channel is Channel.EMAIL:
            return self.email is not None
        if channel is Channel.SMS:
            return self.phone is not None
        if channel is Channel.PUSH:
            return bool(self.push_tokens)
        return True  # the in-app inbox needs no address

    def recipients(self, channel: Channel) -> tuple[str, ...]:
        """Addresses for a channel; push goes to every registered device."""
        if channel is Channel.EMAIL:
            return (self.email,) if self.email else ()
        if channel is Channel.SMS:
            return (self.phone,) if self.phone else ()
        if channel is Channel.PUSH:
            return self.push_tokens
        return (self.customer_id,)


@dataclass(frozen=True)
class QuietHours:
    """A local-time window (may wrap midnight) during which SMS and push wait."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise InvalidQuietHours("quiet hours must not start and end at the same time")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InvalidQuietHours("quiet hours are local wall-clock times, without a zone")

    def _contains(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release_time(self, now: datetime, zone: tzinfo) -> datetime:
        """When a message created at `now` may go out: `now`, or the end of the window."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        local = now.astimezone(zone)
        if not self._contains(local.time().replace(tzinfo=None)):
            return now
        end_date = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) >= self.start:
            end_date = end_date + timedelta(days=1)
        wall = datetime.combine(end_date, self.end)
        # Build from the wall clock in the zone, then normalise: a time inside a DST gap
        # comes out one hour later, which is the right moment to wake up anyway.
        release = wall.replace(tzinfo=zone).astimezone(now.tzinfo)
        return max(release, now)


DEFAULT_OPT_INS: Mapping[Category, frozenset[Channel]] = {
    Category.TRANSACTIONAL: frozenset({Channel.EMAIL, Channel.IN_APP, Channel.PUSH}),
    Category.MARKETING: frozenset(),  # marketing is opt-in
}


@dataclass(frozen=True)
class Preferences:
    """Which channels a customer accepts, per message category, and when not to disturb them.

    `kind_overrides` replace the category's channels for one message kind (e.g. SMS only for
    "shipped"); they obey the same transactional rule.
    """

    customer_id: str
    opt_ins: Mapping[Category, frozenset[Channel]] = field(
        default_factory=lambda: dict(DEFAULT_OPT_INS)
    )
    kind_overrides: Mapping[str, frozenset[Channel]] = field(default_factory=dict)
    quiet_hours: QuietHours | None = None

    def __post_init__(self) -> None:
        opt_ins = {
            cat: frozenset(Channel(c) for c in self.opt_ins.get(cat, ())) for cat in Category
        }
        overrides = {k: frozenset(Channel(c) for c in v) for k, v in self.kind_overrides.items()}
        _require_always_on(opt_ins[Category.TRANSACTIONAL], "transactional")
        for kind, channels in overrides.items():
            if message_kind(kind).category is Category.TRANSACTIONAL:
                _require_always_on(channels, kind)
        object.__setattr__(self, "opt_ins", opt_ins)
        object.__setattr__(self, "kind_overrides", overrides)

    def channels_for(self, kind: str, category: Category) -> frozenset[Channel]:
        if kind in self.kind_overrides:
            return self.kind_overrides[kind]
        return self.opt_ins[category]

    def with_opt_ins(self, category: Category, channels: Iterable[Channel | str]) -> Preferences:
        return replace(self, opt_ins={**self.opt_ins, category: frozenset(map(Channel, channels))})


def _require_always_on(channels: frozenset[Channel], what: str) -> None:
    if not channels & ALWAYS_ON_CANDIDATES:
        raise TransactionalChannelRequired(
            f"{what} messages must keep email or the in-app inbox on",
            details={"scope": what, "channels": sorted(channels)},
        )
