"""`rpc.notifications.*` operations: thin translations to the use cases."""

from __future__ import annotations

from shared.contracts import notifications as c
from shared.messaging.glue import RpcRoute

from ..handlers import Notifications
from ..held_messages import HeldMessages
from ..replies import Replies
from ..webhook_handlers import Webhooks


def rpc_routes(n: Notifications, w: Webhooks, held: HeldMessages) -> list[RpcRoute]:
    # Commands (command=True): a repeat of a keyed request gets the first reply. PUTs and
    # marking read are idempotent by design, so running them again rebuilds it; the others
    # rebuild it from the state they left (`replies`).
    r = Replies(w)
    return [
        RpcRoute(c.Subjects.GET_CONTACT, n.get_contact, c.CustomerRef),
        RpcRoute(c.Subjects.PUT_CONTACT, n.put_contact, c.PutContactRequest, command=True),
        RpcRoute(c.Subjects.GET_PREFERENCES, n.get_preferences, c.CustomerRef),
        RpcRoute(
            c.Subjects.PUT_PREFERENCES, n.put_preferences, c.PutPreferencesRequest, command=True
        ),
        RpcRoute(c.Subjects.LIST_INBOX, n.list_inbox, c.ListInboxRequest),
        RpcRoute(c.Subjects.MARK_READ, n.mark_read, c.MarkReadRequest, command=True),
        RpcRoute(c.Subjects.LIST_MESSAGES, n.list_messages, c.ListMessagesRequest),
        RpcRoute(c.Subjects.THANK_YOU_CARD, n.thank_you_card, c.ThankYouCardRequest),
        RpcRoute(c.Subjects.LIST_HELD_MESSAGES, held.list, c.ListHeldMessagesRequest),
        RpcRoute(
            c.Subjects.RESOLVE_HELD_MESSAGE,
            held.resolve,
            c.ResolveHeldMessageRequest,
            command=True,
            replay=r.settled_message,
        ),
        RpcRoute(
            c.Subjects.CREATE_WEBHOOK,
            w.create,
            c.CreateWebhookRequest,
            command=True,
            replay=r.created_webhook,
        ),
        RpcRoute(c.Subjects.LIST_WEBHOOKS, w.list),
        RpcRoute(c.Subjects.GET_WEBHOOK, w.get, c.WebhookRef),
        RpcRoute(
            c.Subjects.DELETE_WEBHOOK,
            w.delete,
            c.WebhookRef,
            command=True,
            replay=r.deleted_webhook,
        ),
        RpcRoute(
            c.Subjects.ROTATE_WEBHOOK_SECRET,
            w.rotate_secret,
            c.WebhookRef,
            command=True,
            replay=r.rotated_secret,
        ),
        RpcRoute(
            c.Subjects.REPLAY_WEBHOOK,
            w.replay,
            c.ReplayWebhookRequest,
            command=True,
            replay=r.replayed_deliveries,
        ),
        RpcRoute(c.Subjects.LIST_WEBHOOK_DELIVERIES, w.deliveries, c.ListWebhookDeliveriesRequest),
    ]
