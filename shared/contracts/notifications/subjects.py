"""The request-reply subjects of the notifications service, its event types and shared types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

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
    FIND_CUSTOMERS = "rpc.notifications.find_customers"
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
