"""Which figures a partner webhook carries besides ids (docs/returns.md: "partner webhooks with
ids and figures only"; the return events' contract, shared/contracts/orders/return_events.py).

A return event's webhook carries its number, status, resolution, currency and amounts (the
refund with the reclaimable duty and import VAT finance partners reconcile, what an expired
exchange charged or refunded): never the customer, the agent, the region, the lines' reasons,
the carrier's parcels or free text. Any other event carries ids only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifications.domain.webhook_figures import figures
from services.notifications.domain.webhooks import thin_payload

REFUND = {"amount": "286.22", "currency": "GBP", "reclaimable_duty": "7.51",
          "reclaimable_import_vat": "51.58"}  # fmt: skip
FACTS = {
    "return_id": "r_1", "return_number": "RT-0001", "order_id": "o_1",
    "customer_id": "cust-alice", "agent_id": "agent-1", "region": "UK", "status": "refunded",
    "resolution": "refund", "currency": "GBP",
    "lines": [{"style": "VT01", "quantity": 1, "reason": "changed_mind"}],
}  # fmt: skip
REFUNDED = FACTS | {"refund_id": "re_1", "amount_refunded": "286.22", "refund": REFUND}
EXPIRED = FACTS | {"status": "expired", "resolution": "exchange",
                   "exchange_outcome": "charge_in_full", "charged": "12.00", "refunded": None}  # fmt: skip
REQUESTED = FACTS | {"status": "requested", "refund": REFUND, "carrier": "sandbox-carrier",
                     "tracking_numbers": ["TRK1"], "exchange": None}  # fmt: skip


def test_a_refunded_return_carries_its_amounts_and_reclaimable_taxes():
    assert figures("orders.return.refunded", REFUNDED) == {
        "return_number": "RT-0001", "status": "refunded", "resolution": "refund",
        "currency": "GBP", "amount_refunded": "286.22", "refund": REFUND,
    }  # fmt: skip


def test_an_expired_exchange_says_what_it_charged_and_leaves_out_what_is_none():
    assert figures("orders.return.expired", EXPIRED) == {
        "return_number": "RT-0001", "status": "expired", "resolution": "exchange",
        "currency": "GBP", "exchange_outcome": "charge_in_full", "charged": "12.00",
    }  # fmt: skip
    cancelled = EXPIRED | {"exchange_outcome": "cancel", "charged": None, "refunded": "3.50"}
    assert figures("orders.return.expired", cancelled)["refunded"] == "3.50"
    assert "charged" not in figures("orders.return.expired", cancelled)


def test_a_requested_return_carries_no_parcel_or_exchange_details():
    assert set(figures("orders.return.requested", REQUESTED)) == {
        "return_number", "status", "resolution", "currency", "refund"}  # fmt: skip


def test_a_figure_missing_from_an_event_is_left_out():
    assert figures("orders.return.in_transit", {"status": "in_transit"}) == {
        "status": "in_transit"}  # fmt: skip


@pytest.mark.parametrize(
    "event_type",
    ["warranty.claim.approved", "orders.order.placed", "orders.returned", "orders.return",
     "notifications.message.sent", "xorders.return.refunded"],
)  # fmt: skip
def test_other_events_carry_no_figures(event_type):
    assert figures(event_type, REFUNDED) == {}


def test_the_figures_come_in_a_stable_order():
    # The body is signed as sent; the same event gives the same bytes (keys in name order).
    assert list(figures("orders.return.refunded", REFUNDED)) == [
        "amount_refunded", "currency", "refund", "resolution", "return_number", "status"]  # fmt: skip


def test_the_partner_payload_adds_ids_but_never_the_customer_or_agent():
    body = thin_payload("orders.return.refunded", datetime(2026, 12, 5, tzinfo=UTC), REFUNDED)
    assert body.to_dict()["data"] == {
        "return_id": "r_1", "order_id": "o_1", "refund_id": "re_1", "return_number": "RT-0001",
        "status": "refunded", "resolution": "refund", "currency": "GBP",
        "amount_refunded": "286.22", "refund": REFUND,
    }  # fmt: skip
