from datetime import UTC, datetime, time

import pytest

from services.notifications.domain.channels import Category, Channel
from services.notifications.domain.messages import (
    CATALOGUE,
    EVENT_MESSAGES,
    DeliveryKey,
    UnknownMessageKind,
    kinds_for_event,
    message_kind,
    plan,
    route,
)
from services.notifications.domain.preferences import Contact, Preferences, QuietHours

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_every_customer_facing_step_has_a_kind():
    """Every step of a claim or order a customer sees causes a message."""
    claim_steps = [
        "submitted", "approved", "rejected", "needs_review", "rma_issued", "rma_reminder",
        "lapsed", "received", "repair_started", "replacement_started", "sla_breached",
        "shipped_back", "delivered",
    ]  # fmt: skip
    order_steps = ["placed", "confirmed", "shipped", "delivered", "failed", "cancelled", "refunded"]
    for step in claim_steps:
        assert kinds_for_event(f"warranty.claim.{step}"), step
    for step in order_steps:
        assert kinds_for_event(f"orders.order.{step}"), step
    assert [k.name for k in kinds_for_event("orders.waitlist.available")] == ["waitlist_available"]
    assert [k.name for k in kinds_for_event("warranty.claim.sla_breached")] == ["claim_sla_apology"]
    assert [k.name for k in kinds_for_event("warranty.claim.shipped_back")] == [
        "claim_shipped_back",
        "claim_thank_you",
    ]


def test_internal_events_send_nothing():
    """Internal events send the customer nothing."""
    prefs = Preferences("c1")
    assert route("warranty.claim.sla_at_risk", prefs, NOW) == []
    assert route("orders.order.stock_reserved", prefs, NOW) == []
    assert route("something.else", prefs, NOW) == []


def test_catalogue_is_consistent():
    """Each kind is filed under its own name, transactional kinds always suit email and the
    inbox (so routing never comes up empty), and every kind an event names exists."""
    for name, kind in CATALOGUE.items():
        assert kind.name == name
        if kind.category is Category.TRANSACTIONAL:
            # the always-on channels are always suitable, so routing can never come up empty
            assert {Channel.EMAIL, Channel.IN_APP} <= kind.channels
    for names in EVENT_MESSAGES.values():
        for name in names:
            assert name in CATALOGUE


def test_unknown_kind():
    """An unknown message kind is refused, naming the known ones."""
    with pytest.raises(UnknownMessageKind) as err:
        message_kind("claim_exploded")
    assert err.value.code == "notifications_unknown_message_kind"


def test_route_intersects_kind_channels_and_preferences():
    """A message goes on the channels its kind suits and the customer accepts."""
    prefs = Preferences(
        "c1",
        opt_ins={Category.TRANSACTIONAL: {Channel.EMAIL, Channel.SMS, Channel.PUSH}},
    )
    deliveries = route("orders.order.shipped", prefs, NOW)
    assert {d.channel for d in deliveries} == {Channel.EMAIL, Channel.SMS, Channel.PUSH}
    # claim_submitted suits email and in-app only: SMS is not used for it
    deliveries = route("warranty.claim.submitted", prefs, NOW)
    assert [d.channel for d in deliveries] == [Channel.EMAIL]
    assert all(d.send_at == NOW for d in deliveries)


def test_route_drops_unreachable_channels_and_falls_back_to_inbox():
    """Channels without an address are dropped; a transactional message falls back to the
    inbox."""
    contact = Contact("c1")  # no email, no phone, no device
    prefs = Preferences("c1", opt_ins={Category.TRANSACTIONAL: {Channel.EMAIL}})
    deliveries = route("warranty.claim.approved", prefs, NOW, contact)
    assert [(d.kind, d.channel) for d in deliveries] == [("claim_approved", Channel.IN_APP)]


def test_route_defers_sms_and_push_in_quiet_hours_only():
    """Quiet hours defer SMS and push only; email and the inbox go at once."""
    contact = Contact(
        "c1", email="m@example.com", phone="+447700900123", push_tokens=("tok1",), locale="en-GB"
    )
    prefs = Preferences(
        "c1",
        opt_ins={Category.TRANSACTIONAL: set(Channel)},
        quiet_hours=QuietHours(time(22), time(7)),
    )
    late = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    by_channel = {d.channel: d.send_at for d in route("orders.order.shipped", prefs, late, contact)}
    assert by_channel[Channel.EMAIL] == late
    assert by_channel[Channel.IN_APP] == late
    assert by_channel[Channel.SMS] == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert by_channel[Channel.PUSH] == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def test_route_requires_aware_now():
    """Routing refuses a time without a zone."""
    with pytest.raises(ValueError):
        route("orders.order.shipped", Preferences("c1"), datetime(2026, 1, 1))


def test_plan_keys_are_deterministic_and_unique():
    """Each planned delivery has one key, the same however often the event is planned."""
    contact = Contact("c1", email="m@example.com", push_tokens=("tokA", "tokB"))
    prefs = Preferences("c1")
    first = plan("evt-1", "warranty.claim.shipped_back", contact, prefs, NOW)
    again = plan("evt-1", "warranty.claim.shipped_back", contact, prefs, NOW)
    assert first == again
    keys = [p.key for p in first]
    assert len(set(keys)) == len(keys)
    assert DeliveryKey("evt-1", "claim_thank_you", Channel.EMAIL, "c1") in keys
    push = [p for p in first if p.key.channel is Channel.PUSH]
    assert {p.address for p in push} == {"tokA", "tokB"}
    # the email key uses the customer id, so a changed address is still the same delivery
    moved = Contact("c1", email="new@example.com", push_tokens=("tokA", "tokB"))
    assert [p.key for p in plan("evt-1", "warranty.claim.shipped_back", moved, prefs, NOW)] == keys


def test_delivery_key_digest_is_stable_and_hides_the_address():
    """The delivery key digest is stable and reveals no address."""
    key = DeliveryKey("evt-1", "order_shipped", Channel.SMS, "c1")
    assert str(key) == "evt-1:order_shipped:sms:c1"
    assert key.digest == DeliveryKey("evt-1", "order_shipped", Channel.SMS, "c1").digest
    assert key.digest != DeliveryKey("evt-2", "order_shipped", Channel.SMS, "c1").digest
    assert len(key.digest) == 32
