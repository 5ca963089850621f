"""Length limits and character rules for the strings clients may store (one place, documented).

Every `str` a request model accepts has a `max_length`; the limits below are the shared ones
(docs/operations.md lists them). URLs must also be sendable as they are: a control character
or white space in a URL (`\\r\\n`, `\\t`, NUL, DEL, ...) is refused at the edge, because no
HTTP client can send to it and the delivery worker would only find out later.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

ID_MAX = 64  # claim, order, endpoint, delivery ids
CODE_MAX = 64  # machine codes: reason codes, styles, regions
NAME_MAX = 200  # a person's or product's name
URL_MAX = 2000  # webhook targets
PUSH_TOKEN_MAX = 512  # APNs and FCM tokens are well under this
NOTE_MAX = 2000  # free text written by an agent or a customer
WEBHOOK_EVENT_TYPE_MAX = 100
TIME_ZONE_MAX = 64  # IANA zone names are under 40 characters

IdStr = Annotated[str, Field(max_length=ID_MAX)]
CodeStr = Annotated[str, Field(max_length=CODE_MAX)]
PushToken = Annotated[str, Field(min_length=1, max_length=PUSH_TOKEN_MAX)]

# Unicode categories that never belong in a URL: controls (C0, DEL, C1), format characters
# (zero-width and bidi marks) and every kind of space or line separator.
_FORBIDDEN_IN_URL = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})

URL_INVALID_CODE = "webhooks_url_invalid"


def has_control_characters(text: str) -> bool:
    """True when `text` holds a control, format or white-space character."""
    return any(unicodedata.category(ch) in _FORBIDDEN_IN_URL for ch in text)


def _sendable_url(value: str) -> str:
    if has_control_characters(value):
        raise PydanticCustomError(
            URL_INVALID_CODE, "the URL holds control characters or white space"
        )
    return value


SendableUrl = Annotated[str, Field(max_length=URL_MAX), AfterValidator(_sendable_url)]
