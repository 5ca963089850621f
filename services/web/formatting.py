"""Money and dates in the reader's locale (Babel): en-GB reads 5 December 2026 and £95.82,
en-IE 5 December 2026 and €95.82, en-US December 5, 2026 and $95.82. The API sends ISO dates
and decimal strings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal, format_percent, format_scientific

ZONES = {"en-GB": "Europe/London", "en-IE": "Europe/Dublin", "en-US": "America/New_York"}
LOCALES = ("en-GB", "en-IE", "en-US")
# Where a reader of these formats most likely shops (the region a page starts with; the reader
# or the agent can change it there): Ireland is in the EU region, priced in euros.
LOCALE_REGION = {"en-GB": "UK", "en-IE": "EU", "en-US": "US"}


def _babel(locale: str) -> str:
    return locale.replace("-", "_")


def money(amount: str | Decimal | None, currency: str | None, locale: str) -> str:
    if amount is None or not currency:
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return format_currency(value, currency, locale=_babel(locale))


def country(code: str | None, locale: str) -> str:
    """A country by its name in the reader's language ("VN": Vietnam); an unknown code as is."""
    if not code:
        return ""
    return str(Locale.parse(_babel(locale)).territories.get(code.upper(), code))


def rate(value: str | None, locale: str, digits: int = 4) -> str:
    if value is None:
        return ""
    return format_decimal(Decimal(value), format="#,##0." + "0" * digits, locale=_babel(locale))


def percent(value: str | None, locale: str) -> str:
    if value is None:
        return ""
    return format_percent(Decimal(value), format="#,##0.##%", locale=_babel(locale))


def share(value: float | None, locale: str, digits: int = 2) -> str:
    """A proportion as a percentage ('1.25%'); a missing figure is an en dash, never 0."""
    if value is None:
        return "\u2013"
    return format_percent(value, format="#,##0." + "0" * digits + "%", locale=_babel(locale))


def count(value: int | float | None, locale: str) -> str:
    if value is None:
        return "\u2013"
    return format_decimal(value, format="#,##0.#", locale=_babel(locale))


def probability(value: float | None, locale: str) -> str:
    """A p- or q-value: plain down to 0.001, then scientific ('3.2E-7') so it is never '0'."""
    if value is None:
        return "\u2013"
    if value >= 0.001:
        return format_decimal(value, format="0.000", locale=_babel(locale))
    return format_scientific(value, format="0.0E0", locale=_babel(locale))


def instant(value: object) -> datetime | None:
    """A point in time the API sent (ISO 8601, "Z" or an offset; none: UTC), or None when it
    sent none or nothing readable: the one place the console reads the API's times."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse(value: str | date | datetime) -> date | datetime:
    if isinstance(value, date):
        return value
    parsed = instant(value) if "T" in value else None
    return parsed or date.fromisoformat(value)  # unreadable: refused (ValueError) as a date


def day(value: str | date | datetime | None, locale: str) -> str:
    """A calendar day, long form: '12 December 2026' / 'December 12, 2026'."""
    if not value:
        return ""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        parsed = parsed.astimezone(ZoneInfo(ZONES.get(locale, "UTC"))).date()
    return format_date(parsed, format="long", locale=_babel(locale))


def moment(value: str | datetime | None, locale: str) -> str:
    """A point in time in the locale's zone, named: '5 Dec 2026, 14:03 GMT' /
    'Dec 5, 2026, 9:03\u202fAM EST'."""
    if not value:
        return ""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return day(parsed, locale)
    local = parsed.astimezone(ZoneInfo(ZONES.get(locale, "UTC")))
    babel_locale = _babel(locale)
    when = format_date(local.date(), format="medium", locale=babel_locale)
    # The zone is named (GMT/BST, EST/EDT): a price lock or a deadline must not be read in the
    # reader's own zone when the console shows another.
    clock = format_time(local.time(), format="short", locale=babel_locale)
    return f"{when}, {clock} {local.tzname()}"
