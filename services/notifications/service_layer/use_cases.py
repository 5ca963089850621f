"""Every use-case group of the service, side by side (app.py builds them; entry points call
them). A container only: each group has its own dependencies and none reaches into another's."""

from __future__ import annotations

from dataclasses import dataclass

from .contacts import ContactsAndPreferences
from .held_messages import HeldMessages
from .inbox import Inbox, ThankYouCards
from .message_delivery import DeliveryWorker
from .message_planning import MessagePlanning
from .replies import Replies
from .webhook_delivery import WebhookWorker
from .webhook_fanout import WebhookFanOut
from .webhook_log import WebhookLog
from .webhooks import Webhooks


@dataclass(frozen=True)
class UseCases:
    contacts: ContactsAndPreferences
    inbox: Inbox
    cards: ThankYouCards
    held: HeldMessages
    webhooks: Webhooks
    webhook_log: WebhookLog
    replies: Replies
    planning: MessagePlanning
    fanout: WebhookFanOut
    delivery: DeliveryWorker
    webhook_worker: WebhookWorker
