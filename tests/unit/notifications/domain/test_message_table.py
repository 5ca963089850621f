"""The message catalogue as a table typed out by hand: which event tells the customer what, and
on which channels each message may go (warranty-policy.md "Service promises": claim received,
decision with the reason, RMA and form, item received, repair or replacement under way, shipped
back with tracking, delivered, and a thank-you note; the order steps of cross-border.md;
the return steps of carts-and-returns.md).

Channels: every message suits email and the in-app inbox (neither needs a phone or an app);
push is added for progress a customer may want on their phone; SMS only where time matters (the
RMA about to lapse, a parcel on its way, an order that failed)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from services.notifications.domain.channels import Category, Channel
from services.notifications.domain.messages import (
    CATALOGUE,
    EVENT_MESSAGES,
    kinds_for_event,
    plan,
    route,
)
from services.notifications.domain.preferences import Contact, Preferences, QuietHours

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
    "orders.return.requested": ["return_requested"],
    "orders.return.received": ["return_received"],
    "orders.return.refunded": ["return_refunded"],
    "orders.return.cancelled": ["return_cancelled"],
    "orders.return.expired": ["return_expired"],
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
    "return_requested": BASIC,  # the label and the refund to expect: read at a desk
    "return_received": MOBILE,  # progress: the parcel reached the warehouse
    "return_refunded": BASIC,
    "return_cancelled": BASIC,
    "return_expired": BASIC,
}

SILENT = [
    "warranty.claim.sla_at_risk",
    "warranty.claim.inspection_started",
    "orders.order.stock_reserved",
    "orders.order.payment_authorized",
    "orders.order.shipment_updated",  # a cart's parcel moved: the order's own steps tell it
    "orders.return.in_transit",  # picked up: the customer handed it over and knows
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


NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_kind_override_replaces_the_category_channels_for_that_kind() -> None:
    prefs = Preferences("c1", kind_overrides={"order_shipped": {EMAIL, SMS}})
    assert [d.channel for d in route("orders.order.shipped", prefs, NOW)] == [EMAIL, SMS]
    # the other kinds keep the category's channels (email, inbox, push by default)
    assert [d.channel for d in route("orders.order.delivered", prefs, NOW)] == [EMAIL, INBOX, PUSH]


def test_planning_for_a_contact_with_no_address_falls_back_to_the_inbox() -> None:
    """Email only, but no email address on file: the message still reaches the inbox."""
    contact = Contact("c1")
    prefs = Preferences("c1", opt_ins={Category.TRANSACTIONAL: {EMAIL}})
    planned = plan("evt-1", "warranty.claim.approved", contact, prefs, NOW)
    assert [(p.key.kind, p.key.channel, p.key.recipient, p.address) for p in planned] == [
        ("claim_approved", INBOX, "c1", "c1")
    ]


def test_planning_waits_for_the_end_of_quiet_hours_in_the_contacts_zone() -> None:
    """22:00-07:00 quiet hours for a customer in New York: an SMS at 03:00 UTC (22:00 there)
    goes at 07:00 New York time, 12:00 UTC."""
    contact = Contact("c1", phone="+12125550123", locale="en-US")
    prefs = Preferences(
        "c1",
        opt_ins={Category.TRANSACTIONAL: {EMAIL, INBOX, SMS}},
        quiet_hours=QuietHours(time(22), time(7)),
    )
    at = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    sms = [p for p in plan("evt-2", "orders.order.shipped", contact, prefs, at)
           if p.key.channel is SMS]  # fmt: skip
    assert [(p.address, p.send_at) for p in sms] == [
        ("+12125550123", datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    ]
