"""Public interface of the notifications service: its events and its `rpc.notifications.*` models.

The service owns customers' contact details and preferences, the in-app inbox, the delivery log
of every message, partner webhook endpoints and the thank-you card. Events carry ids only; the
message content stays in the service (and in the customer's inbox).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.bounds import (
    TIME_ZONE_MAX,
    WEBHOOK_EVENT_TYPE_MAX,
    CodeStr,
    IdStr,
    PushToken,
    SendableUrl,
)
from shared.contracts.registry import event

SOURCE = "/concierge/notifications"

MESSAGE_SENT = "notifications.message.sent"
MESSAGE_DELIVERED = "notifications.message.delivered"
MESSAGE_FAILED = "notifications.message.failed"
MESSAGE_UNCERTAIN = "notifications.message.uncertain"
WEBHOOK_ENDPOINT_DISABLED = "notifications.webhook.disabled"


class Subjects:
    """The request-reply subjects of the notifications service (`rpc.notifications.<operation>`)."""

    GET_CONTACT = "rpc.notifications.get_contact"
    PUT_CONTACT = "rpc.notifications.put_contact"
    GET_PREFERENCES = "rpc.notifications.get_preferences"
    PUT_PREFERENCES = "rpc.notifications.put_preferences"
    LIST_INBOX = "rpc.notifications.list_inbox"
    MARK_READ = "rpc.notifications.mark_read"
    LIST_MESSAGES = "rpc.notifications.list_messages"
    THANK_YOU_CARD = "rpc.notifications.thank_you_card"
    LIST_HELD_MESSAGES = "rpc.notifications.list_held_messages"
    RESOLVE_HELD_MESSAGE = "rpc.notifications.resolve_held_message"
    CREATE_WEBHOOK = "rpc.notifications.create_webhook"
    LIST_WEBHOOKS = "rpc.notifications.list_webhooks"
    GET_WEBHOOK = "rpc.notifications.get_webhook"
    DELETE_WEBHOOK = "rpc.notifications.delete_webhook"
    ROTATE_WEBHOOK_SECRET = "rpc.notifications.rotate_webhook_secret"
    REPLAY_WEBHOOK = "rpc.notifications.replay_webhook"
    LIST_WEBHOOK_DELIVERIES = "rpc.notifications.list_webhook_deliveries"


ChannelName = Literal["email", "sms", "push", "in_app"]
LocaleName = Literal["en-US", "en-GB", "en-IE"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Events ------------------------------------------------------------------------------------


class _MessageEvent(BaseModel):
    message_id: str = Field(description="Delivery id: one message, one channel, one recipient.")
    customer_id: str = Field(description="The customer the message is for.")
    source_event_id: str = Field(description="Id of the claim/order event that caused it.")
    source_event_type: str = Field(
        description="Type of that event.", examples=["warranty.claim.approved"]
    )
    kind: str = Field(description="Message kind from the catalogue.", examples=["claim_approved"])
    channel: ChannelName = Field(description="email, sms, push or in_app.")
    attempt: int = Field(ge=1, description="Attempt number on this channel.")


@event(MESSAGE_SENT)
class MessageSent(_MessageEvent):
    """A message was handed to its channel's provider (SMTP server, SMS or push gateway)."""

    provider_message_id: str | None = Field(default=None, description="Id given by the provider.")


@event(MESSAGE_DELIVERED)
class MessageDelivered(_MessageEvent):
    """A message reached the customer (in-app: stored in the inbox)."""


@event(MESSAGE_FAILED)
class MessageFailed(_MessageEvent):
    """An attempt failed. `will_retry` false means the failure is final and recorded."""

    error: str = Field(description="Provider's reason, without personal data.")
    permanent: bool = Field(description="The provider refused for good (bad number...).")
    will_retry: bool = Field(description="Another attempt is scheduled.")


@event(MESSAGE_UNCERTAIN)
class MessageUncertain(_MessageEvent):
    """The hand-over to the provider broke off (crash, lost connection) before its answer, and
    the provider cannot say whether it took the message. It is held, not sent again, until an
    agent resolves it (`POST /v1/messages/held/{message_id}/resolve`)."""

    reason: str = Field(description="What interrupted the hand-over.", examples=["interrupted"])


@event(WEBHOOK_ENDPOINT_DISABLED)
class WebhookEndpointDisabled(BaseModel):
    """A partner endpoint was disabled (it answered 410 Gone)."""

    endpoint_id: str = Field(description="The webhook endpoint.")
    reason: str = Field(description="Why it was disabled.", examples=["http_410"])


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

    model_config = ConfigDict(extra="ignore")
    customer_id: str = Field(description="The customer.")
    time_zone: str | None = Field(
        default=None, description="IANA zone for quiet hours; defaults from the locale."
    )
    updated_at: datetime | None = Field(default=None, description="Last change; null if never set.")


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
        description="Local time quiet hours end (HH:MM).",
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

    model_config = ConfigDict(extra="ignore")
    customer_id: str = Field(description="The customer.")


# Inbox and message log ----------------------------------------------------------------------


class _NewestFirstPage(_Strict):
    """Keyset paging over (created_at desc, id): pass the last item's time and id back."""

    before: AwareDatetime | None = Field(
        default=None, description="Page: items created before this."
    )
    before_id: str | None = Field(
        default=None,
        max_length=64,
        description="Page: with `before`, items created at that instant sorting after this id.",
    )


class ListInboxRequest(_NewestFirstPage):
    customer_id: IdStr | None = None
    unread_only: bool = False
    limit: int = Field(default=50, ge=1, le=200)


class InboxItem(BaseModel):
    """One message in the customer's in-app inbox."""

    id: str = Field(description="Inbox item id.")
    kind: str = Field(description="Message kind.", examples=["claim_rma_issued"])
    title: str = Field(description="Headline.")
    body: str = Field(description="The message, as text.")
    created_at: datetime = Field(description="When it arrived.")
    read_at: datetime | None = Field(default=None, description="When it was read; null if unread.")
    claim_id: str | None = Field(default=None, description="Claim it is about, if any.")
    order_id: str | None = Field(default=None, description="Order it is about, if any.")


class InboxPage(BaseModel):
    items: list[InboxItem]
    unread: int = Field(description="Unread items in the whole inbox.")


class MarkReadRequest(_Strict):
    item_id: IdStr
    customer_id: IdStr | None = None


class MessageView(BaseModel):
    """One message on one channel and what happened to it."""

    message_id: str = Field(description="Message id.")
    kind: str = Field(description="Message kind.", examples=["claim_rma_issued"])
    channel: ChannelName = Field(description="Channel it goes out on.")
    status: Literal["pending", "sending", "sent", "delivered", "failed", "uncertain"] = Field(
        description="`uncertain`: held for an agent after an interrupted hand-over.",
        examples=["sent"],
    )
    attempts: int = Field(description="Hand-overs to the provider so far.")
    subject: str = Field(description="Subject line (or title).")
    created_at: datetime = Field(description="When the message was created.")
    send_at: datetime = Field(description="When it is (or was) due to go out.")
    sent_at: datetime | None = Field(default=None, description="When the provider accepted it.")
    last_error: str | None = Field(default=None, description="Last provider error, if any.")


class MessageLogEntry(MessageView):
    """One message on one channel, with the event that caused it (not published over HTTP)."""

    source_event_id: str = Field(description="Id of the event that caused the message.")
    source_event_type: str = Field(description="Type of the event that caused the message.")


class ListMessagesRequest(_NewestFirstPage):
    customer_id: IdStr | None = None
    limit: int = Field(default=100, ge=1, le=500)


class MessageLog(BaseModel):
    messages: list[MessageLogEntry]


class HeldMessageView(MessageView):
    """A message whose hand-over to the provider broke off unanswered: it may or may not have
    gone out, so it is not sent again until an agent decides."""

    customer_id: str = Field(description="The customer it was for.")
    address: str = Field(description="Where it was going: email address, phone or device token.")


class HeldMessage(HeldMessageView, MessageLogEntry):
    """A message whose hand-over was interrupted, waiting for an agent's decision."""


class ListHeldMessagesRequest(_NewestFirstPage):
    limit: int = Field(default=100, ge=1, le=500)


class HeldMessages(BaseModel):
    messages: list[HeldMessage]


class ResolveHeldMessageRequest(_Strict):
    message_id: str = Field(max_length=64)
    outcome: Literal["sent", "resend"] = Field(
        description="`sent`: the provider's records show it went out; `resend`: it did not."
    )


class ThankYouCardRequest(_Strict):
    claim_id: IdStr


class ThankYouCardReply(BaseModel):
    claim_id: str
    filename: str
    pdf_base64: str = Field(description="The printable card (application/pdf), base64.")


# Webhooks -----------------------------------------------------------------------------------


class CreateWebhookRequest(_Strict):
    """A new endpoint. `https` only in production; at most 20 endpoints per partner (setting
    `NOTIFICATIONS_WEBHOOK_MAX_ENDPOINTS_PER_PARTNER`); every filter must select a known event
    type (`/asyncapi.json` lists them)."""

    url: SendableUrl = Field(
        description="Target URL: no control characters or white space (`webhooks_url_invalid`).",
        examples=["https://partner.example/hooks/concierge"],
    )
    event_types: list[Annotated[str, Field(max_length=WEBHOOK_EVENT_TYPE_MAX)]] = Field(
        min_length=1,
        max_length=50,
        description="Exact types, `prefix.*` or `*`.",
        examples=[["warranty.claim.*", "orders.order.shipped"]],
    )
    description: str = Field(default="", max_length=500, description="A note for the partner.")


class WebhookEndpointView(BaseModel):
    """A partner's webhook endpoint, without its secret."""

    id: str = Field(description="Endpoint id.")
    url: str = Field(description="Target URL.")
    event_types: list[str] = Field(description="Exact types, `prefix.*` or `*`.")
    description: str = Field(default="", description="A note for the partner.")
    enabled: bool = Field(description="False once disabled after repeated failures.")
    disabled_reason: str | None = Field(default=None, description="Why it was disabled.")
    created_at: datetime = Field(description="When it was registered.")
    secret_rotation_until: datetime | None = Field(
        default=None, description="While set, an older secret also signs (rotation overlap)."
    )


class WebhookEndpointCreated(WebhookEndpointView):
    """A new endpoint with its signing secret (shown only now)."""

    secret: str = Field(description="Signing secret (`whsec_...`); shown only now.")


class WebhookRef(_Strict):
    endpoint_id: IdStr


class WebhookList(BaseModel):
    endpoints: list[WebhookEndpointView]


class WebhookSecretRotated(BaseModel):
    """A new signing secret; the old one keeps signing until `previous_valid_until`."""

    endpoint_id: str = Field(description="Endpoint id.")
    secret: str = Field(description="The new signing secret; the old one signs until below.")
    previous_valid_until: datetime = Field(description="When the old secret stops signing.")


class ReplayWebhookRequest(_Strict):
    endpoint_id: IdStr
    delivery_id: IdStr | None = Field(default=None, description="Replay one delivery...")
    since: datetime | None = Field(default=None, description="...or every event in a range.")
    until: datetime | None = None


class ReplayResult(BaseModel):
    replayed: list[str] = Field(description="Delivery ids queued again.")


class ListWebhookDeliveriesRequest(_NewestFirstPage):
    endpoint_id: IdStr
    status: Literal["pending", "delivered", "dead_letter", "cancelled"] | None = None
    limit: int = Field(default=100, ge=1, le=500)


class WebhookAttemptView(BaseModel):
    """One try at delivering an event to an endpoint."""

    attempt: int = Field(description="1 for the first try.")
    at: datetime = Field(description="When it was tried.")
    status_code: int | None = Field(default=None, description="HTTP status the endpoint answered.")
    error: str | None = Field(default=None, description="What went wrong, if it failed.")
    duration_ms: int = Field(default=0, description="How long the endpoint took to answer.")


class WebhookDeliveryView(BaseModel):
    """One event's delivery to one endpoint, with its attempts."""

    id: str = Field(description="Delivery id.")
    event_id: str = Field(description="Id of the event delivered.")
    event_type: str = Field(description="Type of the event delivered.")
    status: Literal["pending", "delivered", "dead_letter", "cancelled"] = Field(
        description="`dead_letter`: retries exhausted.", examples=["delivered"]
    )
    attempts: int = Field(description="Tries so far.")
    next_attempt_at: datetime | None = Field(default=None, description="When it is tried next.")
    created_at: datetime = Field(description="When the delivery was queued.")
    delivered_at: datetime | None = Field(default=None, description="When the endpoint took it.")
    last_status_code: int | None = Field(default=None, description="Last HTTP status answered.")
    last_error: str | None = Field(default=None, description="Last failure, if any.")
    history: list[WebhookAttemptView] = Field(
        default_factory=list, description="Every attempt, oldest first."
    )


class WebhookDeliveryList(BaseModel):
    deliveries: list[WebhookDeliveryView]
