"""The catalogue of customer-facing messages and the routing rule that picks channels.

One message kind per step a customer is told about. Events name what happened
(`warranty.claim.approved`); the catalogue says which message(s) that becomes, on which
channels, and `route` applies the customer's preferences and quiet hours. Pure functions only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .channels import INTERRUPTING_CHANNELS, Category, Channel
from .errors import UnknownMessageKind

if TYPE_CHECKING:  # runtime import would be circular: preferences validates against this catalogue
    from .preferences import Contact, Preferences

_BASIC = frozenset({Channel.EMAIL, Channel.IN_APP})
_URGENT = frozenset({Channel.EMAIL, Channel.IN_APP, Channel.PUSH, Channel.SMS})
_MOBILE = frozenset({Channel.EMAIL, Channel.IN_APP, Channel.PUSH})


@dataclass(frozen=True)
class MessageKind:
    """A message the customer can receive. `channels` are the channels it suits."""

    name: str
    category: Category
    channels: frozenset[Channel]
    description: str


_KINDS = (
    MessageKind("claim_submitted", Category.TRANSACTIONAL, _BASIC, "claim received"),
    MessageKind("claim_approved", Category.TRANSACTIONAL, _MOBILE, "claim approved, with reason"),
    MessageKind("claim_rejected", Category.TRANSACTIONAL, _BASIC, "claim rejected, with reason"),
    MessageKind("claim_needs_review", Category.TRANSACTIONAL, _BASIC, "an agent is reviewing"),
    MessageKind("claim_rma_issued", Category.TRANSACTIONAL, _BASIC, "RMA number and form link"),
    MessageKind("claim_rma_reminder", Category.TRANSACTIONAL, _URGENT, "RMA about to lapse"),
    MessageKind("claim_lapsed", Category.TRANSACTIONAL, _BASIC, "RMA lapsed, claim closed"),
    MessageKind("claim_received", Category.TRANSACTIONAL, _MOBILE, "item arrived"),
    MessageKind("claim_repair_started", Category.TRANSACTIONAL, _MOBILE, "repair under way"),
    MessageKind("claim_replacement_started", Category.TRANSACTIONAL, _MOBILE, "replacement"),
    MessageKind("claim_sla_apology", Category.TRANSACTIONAL, _MOBILE, "repair is late: apology"),
    MessageKind("claim_shipped_back", Category.TRANSACTIONAL, _URGENT, "shipped with tracking"),
    MessageKind("claim_delivered", Category.TRANSACTIONAL, _MOBILE, "item delivered"),
    MessageKind("claim_thank_you", Category.TRANSACTIONAL, _BASIC, "thank-you note"),
    MessageKind("claim_store_credit", Category.TRANSACTIONAL, _BASIC, "store credit instead"),
    MessageKind("claim_cancelled", Category.TRANSACTIONAL, _BASIC, "claim cancelled"),
    MessageKind("order_placed", Category.TRANSACTIONAL, _BASIC, "order received"),
    MessageKind("order_confirmed", Category.TRANSACTIONAL, _MOBILE, "order confirmed"),
    MessageKind("order_shipped", Category.TRANSACTIONAL, _URGENT, "shipped with tracking"),
    MessageKind("order_delivered", Category.TRANSACTIONAL, _MOBILE, "order delivered"),
    MessageKind("order_failed", Category.TRANSACTIONAL, _URGENT, "failed, with what to do"),
    MessageKind("order_cancelled", Category.TRANSACTIONAL, _BASIC, "order cancelled"),
    MessageKind("order_refunded", Category.TRANSACTIONAL, _BASIC, "refund issued"),
    MessageKind("return_requested", Category.TRANSACTIONAL, _BASIC, "return label and refund"),
    MessageKind("return_received", Category.TRANSACTIONAL, _MOBILE, "return parcel arrived"),
    MessageKind("return_refunded", Category.TRANSACTIONAL, _BASIC, "return refunded"),
    MessageKind("return_cancelled", Category.TRANSACTIONAL, _BASIC, "return cancelled"),
    MessageKind("return_expired", Category.TRANSACTIONAL, _BASIC, "return parcel never came"),
    # The customer asked to be told: a service message, not a promotion they never requested.
    MessageKind("waitlist_available", Category.TRANSACTIONAL, _MOBILE, "item now available"),
)
CATALOGUE: Mapping[str, MessageKind] = {k.name: k for k in _KINDS}

# Event type -> message kinds, in sending order. Types absent here (e.g.
# `warranty.claim.sla_at_risk`, an internal alarm, or `orders.order.stock_reserved`) send nothing.
EVENT_MESSAGES: Mapping[str, tuple[str, ...]] = {
    "warranty.claim.submitted": ("claim_submitted",),
    "warranty.claim.approved": ("claim_approved",),
    "warranty.claim.rejected": ("claim_rejected",),
    "warranty.claim.needs_review": ("claim_needs_review",),
    "warranty.claim.flagged": ("claim_needs_review",),
    "warranty.claim.rma_issued": ("claim_rma_issued",),
    "warranty.claim.rma_reminder": ("claim_rma_reminder",),
    "warranty.claim.lapsed": ("claim_lapsed",),
    "warranty.claim.received": ("claim_received",),
    "warranty.claim.repair_started": ("claim_repair_started",),
    "warranty.claim.replacement_started": ("claim_replacement_started",),
    "warranty.claim.sla_breached": ("claim_sla_apology",),
    # The thank-you note travels with the item (the card is packed at the same moment).
    "warranty.claim.shipped_back": ("claim_shipped_back", "claim_thank_you"),
    "warranty.claim.delivered": ("claim_delivered",),
    "warranty.claim.store_credit_issued": ("claim_store_credit",),
    "warranty.claim.cancelled": ("claim_cancelled",),
    "orders.order.placed": ("order_placed",),
    "orders.order.confirmed": ("order_confirmed",),
    "orders.order.shipped": ("order_shipped",),
    "orders.order.delivered": ("order_delivered",),
    "orders.order.failed": ("order_failed",),
    "orders.order.cancelled": ("order_cancelled",),
    "orders.order.refunded": ("order_refunded",),
    "orders.return.requested": ("return_requested",),
    "orders.return.received": ("return_received",),
    "orders.return.refunded": ("return_refunded",),
    "orders.return.cancelled": ("return_cancelled",),
    "orders.return.expired": ("return_expired",),
    "orders.waitlist.available": ("waitlist_available",),
}


def message_kind(name: str) -> MessageKind:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise UnknownMessageKind(
            f"unknown message kind {name!r}", details={"kind": name, "known": sorted(CATALOGUE)}
        ) from None


def kinds_for_event(event_type: str) -> tuple[MessageKind, ...]:
    return tuple(CATALOGUE[name] for name in EVENT_MESSAGES.get(event_type, ()))


@dataclass(frozen=True, order=True)
class DeliveryKey:
    """Identity of one message on one channel to one recipient: the exactly-once key.

    The kind is part of it because one event may produce two messages (shipped back + thank
    you). The recipient is the customer id (or the device token for push), not an address, so a
    changed email address does not make a redelivered event look new.
    """

    event_id: str
    kind: str
    channel: Channel
    recipient: str

    def __str__(self) -> str:
        return f"{self.event_id}:{self.kind}:{self.channel}:{self.recipient}"

    @property
    def digest(self) -> str:
        """Short stable hash: used in Message-IDs and file names, reveals no address."""
        return hashlib.sha256(str(self).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Delivery:
    kind: str
    channel: Channel
    send_at: datetime


@dataclass(frozen=True)
class PlannedDelivery:
    key: DeliveryKey
    address: str  # where it goes: email, phone, token, or customer id for the inbox
    send_at: datetime


def route(
    event_type: str, preferences: Preferences, now: datetime, contact: Contact | None = None
) -> list[Delivery]:
    """Channels and send times for every message an event produces for one customer.

    Channels are those the kind suits, that the customer accepts, and (when the contact is
    known) that have an address. Transactional messages never end up with no channel: they fall
    back to the in-app inbox. SMS and push wait for the end of quiet hours.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    deliveries: list[Delivery] = []
    for kind in kinds_for_event(event_type):
        channels = kind.channels & preferences.channels_for(kind.name, kind.category)
        if contact is not None:
            channels = frozenset(c for c in channels if contact.reachable_on(c))
        if not channels and kind.category is Category.TRANSACTIONAL:
            channels = frozenset({Channel.IN_APP})
        for channel in sorted(channels):
            send_at = now
            if preferences.quiet_hours is not None and channel in INTERRUPTING_CHANNELS:
                zone = contact.zone if contact is not None else UTC
                send_at = preferences.quiet_hours.release_time(now, zone)
            deliveries.append(Delivery(kind.name, channel, send_at))
    return deliveries


def plan(
    event_id: str, event_type: str, contact: Contact, preferences: Preferences, now: datetime
) -> list[PlannedDelivery]:
    """`route`, expanded to one keyed delivery per recipient address."""
    planned: list[PlannedDelivery] = []
    for delivery in route(event_type, preferences, now, contact):
        for address in contact.recipients(delivery.channel):
            recipient = address if delivery.channel is Channel.PUSH else contact.customer_id
            key = DeliveryKey(event_id, delivery.kind, delivery.channel, recipient)
            planned.append(PlannedDelivery(key, address, delivery.send_at))
    return planned
