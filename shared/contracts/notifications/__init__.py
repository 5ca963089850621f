"""Public interface of the notifications service: its events and its `rpc.notifications.*` models.

The service owns customers' contact details and preferences, the in-app inbox, the delivery log
of every message, partner webhook endpoints and the thank-you card. Events carry ids only; the
message content stays in the service (and in the customer's inbox).
"""

from __future__ import annotations

from shared.contracts.bounds import TIME_ZONE_MAX, WEBHOOK_EVENT_TYPE_MAX
from shared.contracts.notifications.contact import (
    ContactIn,
    ContactView,
    CustomerMatch,
    CustomerMatches,
    CustomerRef,
    FindCustomersRequest,
    PreferencesIn,
    PreferencesView,
    PutContactRequest,
    PutPreferencesRequest,
    QuietHoursModel,
)

# Private, but the gateway's preferences body shares the default (one list of channels).
from shared.contracts.notifications.contact import (
    _default_transactional as _default_transactional,
)
from shared.contracts.notifications.events import (
    MessageDelivered,
    MessageFailed,
    MessageSent,
    MessageUncertain,
    WebhookEndpointDisabled,
)
from shared.contracts.notifications.messages import (
    HeldMessage,
    HeldMessages,
    HeldMessageView,
    InboxItem,
    InboxPage,
    ListHeldMessagesRequest,
    ListInboxRequest,
    ListMessagesRequest,
    MarkReadRequest,
    MessageLog,
    MessageLogEntry,
    MessageView,
    ResolveHeldMessageRequest,
    ThankYouCardReply,
    ThankYouCardRequest,
)
from shared.contracts.notifications.subjects import (
    MESSAGE_DELIVERED,
    MESSAGE_FAILED,
    MESSAGE_SENT,
    MESSAGE_UNCERTAIN,
    SOURCE,
    WEBHOOK_ENDPOINT_DISABLED,
    ChannelName,
    LocaleName,
    Subjects,
)
from shared.contracts.notifications.webhooks import (
    CreateWebhookRequest,
    ListWebhookDeliveriesRequest,
    ReplayResult,
    ReplayWebhookRequest,
    WebhookAttemptView,
    WebhookDeliveryList,
    WebhookDeliveryView,
    WebhookEndpointCreated,
    WebhookEndpointView,
    WebhookList,
    WebhookRef,
    WebhookSecretRotated,
)

__all__ = [
    "MESSAGE_DELIVERED",
    "MESSAGE_FAILED",
    "MESSAGE_SENT",
    "MESSAGE_UNCERTAIN",
    "SOURCE",
    "TIME_ZONE_MAX",
    "WEBHOOK_ENDPOINT_DISABLED",
    "WEBHOOK_EVENT_TYPE_MAX",
    "ChannelName",
    "ContactIn",
    "ContactView",
    "CreateWebhookRequest",
    "CustomerMatch",
    "CustomerMatches",
    "CustomerRef",
    "FindCustomersRequest",
    "HeldMessage",
    "HeldMessageView",
    "HeldMessages",
    "InboxItem",
    "InboxPage",
    "ListHeldMessagesRequest",
    "ListInboxRequest",
    "ListMessagesRequest",
    "ListWebhookDeliveriesRequest",
    "LocaleName",
    "MarkReadRequest",
    "MessageDelivered",
    "MessageFailed",
    "MessageLog",
    "MessageLogEntry",
    "MessageSent",
    "MessageUncertain",
    "MessageView",
    "PreferencesIn",
    "PreferencesView",
    "PutContactRequest",
    "PutPreferencesRequest",
    "QuietHoursModel",
    "ReplayResult",
    "ReplayWebhookRequest",
    "ResolveHeldMessageRequest",
    "Subjects",
    "ThankYouCardReply",
    "ThankYouCardRequest",
    "WebhookAttemptView",
    "WebhookDeliveryList",
    "WebhookDeliveryView",
    "WebhookEndpointCreated",
    "WebhookEndpointDisabled",
    "WebhookEndpointView",
    "WebhookList",
    "WebhookRef",
    "WebhookSecretRotated",
]
