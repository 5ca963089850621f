"""The message catalogue as a table typed out by hand: which event tells the customer what, and
on which channels each message may go (warranty-policy.md "Service promises": claim received,
decision with the reason, RMA and form, item received, repair or replacement under way, shipped
back with tracking, delivered, and a thank-you note; the order steps of cross-border.md).

Channels: every message suits email and the in-app inbox (neither needs a phone or an app);
push is added for progress a customer may want on their phone; SMS only where time matters (the
RMA about to lapse, a parcel on its way, an order that failed)."""

from __future__ import annotations

from services.notifications.domain.channels import Category, Channel
from services.notifications.domain.messages import CATALOGUE, EVENT_MESSAGES, kinds_for_event

EMAIL, INBOX, PUSH, SMS = Channel.EMAIL, Channel.IN_APP, Channel.PUSH, Channel.SMS
BASIC, MOBILE, URGENT = {EMAIL, INBOX}, {EMAIL, INBOX, PUSH}, {EMAIL, INBOX, PUSH, SMS}

# event type -> the messages it sends, in order
EVENTS = {
    "warranty.claim.submitted": ["claim_submitted"],
    "warranty.claim.approved": ["claim_approved"],
    "warranty.claim.rejected": ["claim_rejected"],
    "warranty.claim.needs_review": ["claim_needs_review"],
    "warranty.claim.flagged": ["claim_needs_review"],
    "warranty.claim.rma_issued": ["claim_rma_issued"],
    "warranty.claim.rma_reminder": ["claim_rma_reminder"],
    "warranty.claim.lapsed": ["claim_lapsed"],
    "warranty.claim.received": ["claim_received"],
    "warranty.claim.repair_started": ["claim_repair_started"],
    "warranty.claim.replacement_started": ["claim_replacement_started"],
    "warranty.claim.sla_breached": ["claim_sla_apology"],
    "warranty.claim.shipped_back": ["claim_shipped_back", "claim_thank_you"],
    "warranty.claim.delivered": ["claim_delivered"],
    "warranty.claim.store_credit_issued": ["claim_store_credit"],
    "warranty.claim.cancelled": ["claim_cancelled"],
    "orders.order.placed": ["order_placed"],
    "orders.order.confirmed": ["order_confirmed"],
    "orders.order.shipped": ["order_shipped"],
    "orders.order.delivered": ["order_delivered"],
    "orders.order.failed": ["order_failed"],
    "orders.order.cancelled": ["order_cancelled"],
    "orders.order.refunded": ["order_refunded"],
    "orders.waitlist.available": ["waitlist_available"],
}

# message kind -> the channels it suits (all are transactional: a customer asked for them)
CHANNELS = {
    "claim_submitted": BASIC,
    "claim_approved": MOBILE,
    "claim_rejected": BASIC,
    "claim_needs_review": BASIC,
    "claim_rma_issued": BASIC,
    "claim_rma_reminder": URGENT,
    "claim_lapsed": BASIC,
    "claim_received": MOBILE,
    "claim_repair_started": MOBILE,
    "claim_replacement_started": MOBILE,
    "claim_sla_apology": MOBILE,
    "claim_shipped_back": URGENT,
    "claim_delivered": MOBILE,
    "claim_thank_you": BASIC,
    "claim_store_credit": BASIC,
    "claim_cancelled": BASIC,
    "order_placed": BASIC,
    "order_confirmed": MOBILE,
    "order_shipped": URGENT,
    "order_delivered": MOBILE,
    "order_failed": URGENT,
    "order_cancelled": BASIC,
    "order_refunded": BASIC,
    "waitlist_available": MOBILE,
}

SILENT = [
    "warranty.claim.sla_at_risk",
    "warranty.claim.inspection_started",
    "orders.order.stock_reserved",
    "orders.order.payment_authorized",
]


def test_each_event_sends_the_messages_of_the_table() -> None:
    assert {t: list(names) for t, names in EVENT_MESSAGES.items()} == EVENTS
    for event_type, names in EVENTS.items():
        assert [k.name for k in kinds_for_event(event_type)] == names
    for event_type in SILENT:
        assert kinds_for_event(event_type) == ()


def test_each_message_suits_the_channels_of_the_table() -> None:
    assert set(CATALOGUE) == set(CHANNELS)
    for name, channels in CHANNELS.items():
        kind = CATALOGUE[name]
        assert (kind.name, set(kind.channels), kind.category) == (
            name,
            channels,
            Category.TRANSACTIONAL,
        )
