"""The contact-details body as the notifications service enforces it, published: the contract
(`ContactIn`) says "E.164" and "IANA zone" in words, the service checks them with code, and a
client (or schemathesis) reading the schema could not know. The patterns below are the service's
checks spelled as JSON Schema (ECMA regex, so Python's whitespace is listed, not `\\s`)."""

from __future__ import annotations

from importlib.resources import files
from typing import Literal

from pydantic import Field

from shared.contracts import notifications as c

# Every character Python's `str.isspace()` accepts (the service's `\\s`).
_WS = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
# The service accepts `name@domain.tld` with no whitespace and one @.
EMAIL_PATTERN = f"^[^@{_WS}]+@[^@{_WS}]+\\.[^@{_WS}]+$"
# The service drops spaces, dashes, dots and brackets, then wants E.164: +, 7 to 15 digits.
_SEP = f"[{_WS}\\-().]*"
PHONE_PATTERN = f"^{_SEP}\\+{_SEP}[1-9]({_SEP}[0-9]){{6,14}}{_SEP}$"
# The IANA zones from the pinned `tzdata` package (not the machine's, so the published document
# is the same everywhere), as an enum the gateway checks too; the service's ZoneInfo knows them.
TIME_ZONES = ("", *sorted(files("tzdata").joinpath("zones").read_text().split()))  # "": the default
TimeZoneName = Literal[TIME_ZONES]  # type: ignore[valid-type]


class ContactBody(c.ContactIn):
    email: str | None = Field(
        default=None,
        max_length=320,
        pattern=EMAIL_PATTERN,
        description="Where emails go.",
        examples=["margaret@example.co.uk"],
    )
    phone: str | None = Field(
        default=None,
        max_length=32,
        pattern=PHONE_PATTERN,
        description="E.164 (+ and 7-15 digits); spaces, dashes, dots and brackets are ignored.",
        examples=["+447700900123"],
    )
    time_zone: TimeZoneName | None = Field(
        default=None,
        description="IANA zone for quiet hours; defaults from the locale.",
        examples=["Europe/London"],
    )
