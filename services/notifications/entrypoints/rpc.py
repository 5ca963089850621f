"""`rpc.notifications.*` operations: parse the contract request, call the use case with plain
values, translate its answer into the contract reply."""

from __future__ import annotations

import base64
from typing import Any

from shared.actor import Actor
from shared.contracts import notifications as c
from shared.messaging.glue import RpcRoute

from ..service_layer.use_cases import UseCases
from . import translate as t

A = Actor | None


class CustomerRpc:
    """Contact, preferences, inbox, message log and the thank-you card."""

    def __init__(self, cases: UseCases) -> None:
        self.cases = cases

    async def put_contact(self, r: c.PutContactRequest, actor: A) -> c.ContactView:
        fields = t.contact_fields(r)
        return t.contact_view(
            *await self.cases.contacts.put_contact(actor, r.customer_id, **fields)
        )

    async def get_contact(self, r: c.CustomerRef, actor: A) -> c.ContactView:
        return t.contact_view(*await self.cases.contacts.get_contact(actor, r.customer_id))

    async def find_customers(self, r: c.FindCustomersRequest, actor: A) -> c.CustomerMatches:
        found = await self.cases.contacts.find_customers(actor, email=r.email, phone=r.phone)
        return c.CustomerMatches(customers=[t.customer_match(*f) for f in found])

    async def get_preferences(self, r: c.CustomerRef, actor: A) -> c.PreferencesView:
        return t.preferences_view(await self.cases.contacts.get_preferences(actor, r.customer_id))

    async def put_preferences(self, r: c.PutPreferencesRequest, actor: A) -> c.PreferencesView:
        fields = t.preference_fields(r)
        prefs = await self.cases.contacts.put_preferences(actor, r.customer_id, **fields)
        return t.preferences_view(prefs)

    async def list_inbox(self, r: c.ListInboxRequest, actor: A) -> c.InboxPage:
        inbox = self.cases.inbox
        items, unread = await inbox.list_inbox(actor, r.customer_id, t.page(r),
                                               unread_only=r.unread_only)  # fmt: skip
        return c.InboxPage(items=[t.inbox_item(i) for i in items], unread=unread)

    async def mark_read(self, r: c.MarkReadRequest, actor: A) -> c.InboxItem:
        return t.inbox_item(await self.cases.inbox.mark_read(actor, r.customer_id, r.item_id))

    async def list_messages(self, r: c.ListMessagesRequest, actor: A) -> c.MessageLog:
        found = await self.cases.inbox.list_messages(actor, r.customer_id, t.page(r))
        return c.MessageLog(messages=[t.log_entry(m) for m in found])

    async def thank_you_card(self, r: c.ThankYouCardRequest, actor: A) -> c.ThankYouCardReply:
        pdf = await self.cases.cards.thank_you_card(actor, r.claim_id)
        return c.ThankYouCardReply(claim_id=r.claim_id, filename=f"thank-you-{r.claim_id}.pdf",
                                   pdf_base64=base64.b64encode(pdf).decode())  # fmt: skip


class HeldMessagesRpc:
    """Agents list the messages held after an interrupted hand-over and settle them."""

    def __init__(self, cases: UseCases) -> None:
        self.cases = cases

    async def list(self, r: c.ListHeldMessagesRequest, actor: A) -> c.HeldMessages:
        found = await self.cases.held.list(actor, t.page(r))
        return c.HeldMessages(messages=[t.held_message(m) for m in found])

    async def resolve(self, r: c.ResolveHeldMessageRequest, actor: A) -> c.HeldMessage:
        return t.held_message(await self.cases.held.resolve(actor, r.message_id, r.outcome))

    async def settled_message(self, r: c.ResolveHeldMessageRequest, _a: A) -> c.HeldMessage:
        return t.held_message(await self.cases.replies.settled_message(r.message_id))


class WebhookRpc:
    """Partner webhook endpoints, their delivery log and replays."""

    def __init__(self, cases: UseCases) -> None:
        self.cases = cases

    async def create(self, r: c.CreateWebhookRequest, actor: A) -> c.WebhookEndpointCreated:
        created = await self.cases.webhooks.create(actor, r.url, r.event_types, r.description,
                                                   partner_key_id=r.partner_key_id)  # fmt: skip
        return t.endpoint_created(*created)

    async def list(self, _r: Any, actor: A) -> c.WebhookList:
        found = await self.cases.webhooks.list(actor)
        return c.WebhookList(endpoints=[t.endpoint_view(e) for e in found])

    async def get(self, r: c.WebhookRef, actor: A) -> c.WebhookEndpointView:
        return t.endpoint_view(await self.cases.webhooks.get(actor, r.endpoint_id))

    async def delete(self, r: c.WebhookRef, actor: A) -> dict[str, Any]:
        await self.cases.webhooks.delete(actor, r.endpoint_id)
        return self.deleted(r)

    def deleted(self, r: c.WebhookRef) -> dict[str, Any]:
        return {"endpoint_id": r.endpoint_id, "deleted": True}

    async def rotate_secret(self, r: c.WebhookRef, actor: A) -> c.WebhookSecretRotated:
        secret, until = await self.cases.webhooks.rotate_secret(actor, r.endpoint_id)
        return c.WebhookSecretRotated(endpoint_id=r.endpoint_id, secret=secret,
                                      previous_valid_until=until)  # fmt: skip

    async def replay(self, r: c.ReplayWebhookRequest, actor: A) -> c.ReplayResult:
        ids = await self.cases.webhook_log.replay(actor, r.endpoint_id, delivery_id=r.delivery_id,
                                                  since=r.since, until=r.until)  # fmt: skip
        return c.ReplayResult(replayed=ids)

    async def deliveries(
        self, r: c.ListWebhookDeliveriesRequest, actor: A
    ) -> c.WebhookDeliveryList:
        log = self.cases.webhook_log
        return t.webhook_deliveries(
            *await log.deliveries(actor, r.endpoint_id, r.status, t.page(r))
        )

    # Replies rebuilt for a repeated command whose first reply was lost ---------------------

    async def created(self, _r: c.CreateWebhookRequest, actor: A) -> c.WebhookEndpointCreated:
        return t.endpoint_created(*await self.cases.replies.created_webhook(actor))

    async def rotated(self, r: c.WebhookRef, _a: A) -> c.WebhookSecretRotated:
        secret, until = await self.cases.replies.rotated_secret(r.endpoint_id)
        return c.WebhookSecretRotated(endpoint_id=r.endpoint_id, secret=secret,
                                      previous_valid_until=until)  # fmt: skip

    async def replayed(self, r: c.ReplayWebhookRequest, actor: A) -> c.ReplayResult:
        ids = await self.cases.replies.replayed_deliveries(
            actor, r.endpoint_id, delivery_id=r.delivery_id, since=r.since, until=r.until
        )
        return c.ReplayResult(replayed=ids)

    async def replay_deleted(self, r: c.WebhookRef, _a: A) -> dict[str, Any]:
        return self.deleted(r)


def rpc_routes(cases: UseCases) -> list[RpcRoute]:
    # Commands (command=True): a repeat of a keyed request gets the first reply. PUTs and
    # marking read are idempotent by design, so running them again rebuilds it; the others
    # rebuild it from the state they left (the `replay` handlers).
    held = HeldMessagesRpc(cases)
    return customer_routes(CustomerRpc(cases), held) + webhook_routes(WebhookRpc(cases))


def customer_routes(h: CustomerRpc, held: HeldMessagesRpc) -> list[RpcRoute]:
    s = c.Subjects
    return [
        RpcRoute(s.GET_CONTACT, h.get_contact, c.CustomerRef),
        RpcRoute(s.PUT_CONTACT, h.put_contact, c.PutContactRequest, command=True),
        RpcRoute(s.FIND_CUSTOMERS, h.find_customers, c.FindCustomersRequest),
        RpcRoute(s.GET_PREFERENCES, h.get_preferences, c.CustomerRef),
        RpcRoute(s.PUT_PREFERENCES, h.put_preferences, c.PutPreferencesRequest, command=True),
        RpcRoute(s.LIST_INBOX, h.list_inbox, c.ListInboxRequest),
        RpcRoute(s.MARK_READ, h.mark_read, c.MarkReadRequest, command=True),
        RpcRoute(s.LIST_MESSAGES, h.list_messages, c.ListMessagesRequest),
        RpcRoute(s.THANK_YOU_CARD, h.thank_you_card, c.ThankYouCardRequest),
        RpcRoute(s.LIST_HELD_MESSAGES, held.list, c.ListHeldMessagesRequest),
        RpcRoute(
            s.RESOLVE_HELD_MESSAGE,
            held.resolve,
            c.ResolveHeldMessageRequest,
            command=True,
            replay=held.settled_message,
        ),
    ]


def webhook_routes(h: WebhookRpc) -> list[RpcRoute]:
    s = c.Subjects
    return [
        RpcRoute(
            s.CREATE_WEBHOOK, h.create, c.CreateWebhookRequest, command=True, replay=h.created
        ),
        RpcRoute(s.LIST_WEBHOOKS, h.list),
        RpcRoute(s.GET_WEBHOOK, h.get, c.WebhookRef),
        RpcRoute(s.DELETE_WEBHOOK, h.delete, c.WebhookRef, command=True, replay=h.replay_deleted),
        RpcRoute(
            s.ROTATE_WEBHOOK_SECRET, h.rotate_secret, c.WebhookRef, command=True, replay=h.rotated
        ),
        RpcRoute(
            s.REPLAY_WEBHOOK, h.replay, c.ReplayWebhookRequest, command=True, replay=h.replayed
        ),
        RpcRoute(s.LIST_WEBHOOK_DELIVERIES, h.deliveries, c.ListWebhookDeliveriesRequest),
    ]
