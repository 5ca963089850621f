"""Contact details and notification preferences: requests and replies of `rpc.notifications.*`."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from shared.contracts.bounds import (
    TIME_ZONE_MAX,
    CodeStr,
    IdStr,
    PushToken,
)
from shared.contracts.notifications.subjects import ChannelName, LocaleName, _Strict

# Contact and preferences --------------------------------------------------------------------


class ContactIn(_Strict):
    """The customer's contact details (owned by this service; events never carry them)."""

    name: str = Field(default="", max_length=200, description="Used to greet the customer.")
    email: str | None = Field(
        default=None,
        max_length=320,
        description="Where emails go.",
        examples=["margaret@example.co.uk"],
    )
    phone: str | None = Field(
        default=None, max_length=32, description="E.164.", examples=["+447700900123"]
    )
    push_tokens: list[PushToken] = Field(
        default_factory=list, max_length=10, description="Device tokens push messages go to."
    )
    locale: LocaleName = Field(
        default="en-US", description="Language and formats of messages.", examples=["en-GB"]
    )
    time_zone: str | None = Field(
        max_length=TIME_ZONE_MAX,
        default=None,
        description="IANA zone for quiet hours; defaults from the locale.",
        examples=["Europe/London"],
    )


class PutContactRequest(ContactIn):
    customer_id: IdStr | None = Field(
        default=None, description="Only agents set this; customers edit their own."
    )


class CustomerRef(_Strict):
    customer_id: IdStr | None = Field(default=None, description="Agents only; defaults to caller.")


class ContactView(ContactIn):
    """The customer's contact details as stored."""

    # A reply always carries every field (null when unset): published as required.
    model_config = ConfigDict(extra="ignore", json_schema_serialization_defaults_required=True)
    customer_id: str = Field(description="The customer.")
    time_zone: str | None = Field(
        default=None, description="IANA zone for quiet hours; defaults from the locale."
    )
    updated_at: datetime | None = Field(default=None, description="Last change; null if never set.")


class FindCustomersRequest(_Strict):
    """Agents find a customer by what she gives on a call: her email address or her phone number
    (exactly one). The address matches whatever its case; the number with or without spaces."""

    email: str | None = Field(default=None, max_length=320, description="Her email address.")
    phone: str | None = Field(default=None, max_length=32, description="Her number, E.164.")


class CustomerMatch(_Strict):
    """A customer whose contact details match: who she is, and how she is reached."""

    model_config = ConfigDict(extra="ignore", json_schema_serialization_defaults_required=True)
    customer_id: str = Field(description="The customer.")
    name: str = Field(description="The name she gave (may be empty).")
    email: str | None = Field(default=None, description="Her email address.")
    phone: str | None = Field(default=None, description="Her phone number, E.164.")
    locale: LocaleName = Field(description="Language and formats of her messages.")
    updated_at: datetime = Field(description="When she last changed her details.")


class CustomerMatches(_Strict):
    model_config = ConfigDict(extra="ignore")
    customers: list[CustomerMatch]


class QuietHoursModel(_Strict):
    start: str = Field(
        max_length=5,
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="Local time quiet hours begin (HH:MM).",
        examples=["22:00"],
    )
    end: str = Field(
        max_length=5,
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description=(
            "Local time quiet hours end (HH:MM); differs from `start` (an empty window is"
            " refused: 422 `notifications_invalid_quiet_hours`)."
        ),
        examples=["07:00"],
    )


def _default_transactional() -> list[ChannelName]:
    return ["email", "in_app", "push"]


class PreferencesIn(_Strict):
    """Channels accepted per category; transactional must keep email or in_app."""

    transactional: list[ChannelName] = Field(
        default_factory=_default_transactional,
        description="Channels for messages about claims and orders (keeps email or in_app).",
        examples=[["email", "in_app"]],
    )
    marketing: list[ChannelName] = Field(
        default_factory=list, description="Channels for marketing messages (none by default)."
    )
    kind_overrides: dict[CodeStr, list[ChannelName]] = Field(
        default_factory=dict, description="Per message kind, replaces the category's channels."
    )
    quiet_hours: QuietHoursModel | None = Field(
        default=None, description="Local times during which SMS and push wait."
    )


class PutPreferencesRequest(PreferencesIn):
    customer_id: IdStr | None = None


class PreferencesView(PreferencesIn):
    """The customer's notification preferences as stored."""

    # A reply always carries every field (null when unset): published as required.
    model_config = ConfigDict(extra="ignore", json_schema_serialization_defaults_required=True)
    customer_id: str = Field(description="The customer.")
