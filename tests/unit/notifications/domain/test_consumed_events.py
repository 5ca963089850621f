"""Which order events notifications asks JetStream for: those that cause a message, and those
an enabled endpoint subscribes to; concrete types only, so no two filters overlap."""

from __future__ import annotations

from services.notifications.domain.consumed_events import order_events_wanted
from services.notifications.domain.messages import EVENT_MESSAGES
from shared.contracts.registry import load_all

KNOWN = load_all()
MESSAGES = {t for t in EVENT_MESSAGES if t.startswith("orders.")}
ORDER_TYPES = {t for t in KNOWN if t.startswith("orders.")} | MESSAGES


def test_without_endpoints_only_the_events_that_cause_a_message():
    wanted = order_events_wanted(KNOWN, [])
    assert set(wanted) == MESSAGES
    assert "orders.order.payment_authorized" not in wanted
    assert "orders.order.stock_reserved" not in wanted
    assert "orders.order.shipment_updated" not in wanted
    assert list(wanted) == sorted(wanted)


def test_an_endpoint_adds_the_types_it_subscribes_to_and_nothing_else():
    wanted = order_events_wanted(KNOWN, [["orders.order.payment_authorized"]])
    assert set(wanted) == MESSAGES | {"orders.order.payment_authorized"}


def test_a_prefix_pattern_adds_every_type_under_it():
    wanted = set(order_events_wanted(KNOWN, [["orders.order.*"]]))
    under = {t for t in KNOWN if t.startswith("orders.order.")}
    assert under and under <= wanted
    assert wanted == MESSAGES | under


def test_every_event_pattern_takes_every_order_type():
    assert set(order_events_wanted(KNOWN, [["warranty.claim.delivered"], ["*"]])) == ORDER_TYPES


def test_claim_patterns_add_no_order_type():
    assert set(order_events_wanted(KNOWN, [["warranty.claim.*"]])) == MESSAGES


def test_a_type_no_contract_names_is_not_asked_for():
    """JetStream refuses overlapping filters, so only concrete types go in; `orders.>` never."""
    wanted = order_events_wanted([*KNOWN, "orders.order.future_thing"], [["orders.order.x"]])
    assert "orders.order.future_thing" not in wanted
    assert all(">" not in t and "*" not in t for t in wanted)
