"""The Order aggregate's records and events, from the published event docs (docs/asyncapi.json)
and the API's order view (docs/returns.md): `cancelled_by` is customer, agent or system;
`amount_released` is the card hold released (there is none before the payment is authorized);
the refunded event carries the refund id and the amount; each parcel is kept with the warehouse
it leaves from; every event and timeline entry is dated when it happened."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.orders.domain import events as ev
from services.orders.domain.errors import QuoteNotFound
from services.orders.domain.order_shipments import ShipmentStatus
from services.orders.domain.orders import Order
from services.orders.domain.quotes import Quote, create_quote
from services.orders.domain.reference import ReferenceData
from services.orders.domain.saga import Compensation, FailureReason, OrderStatus, Step
from shared.errors import InvalidTransition
from tests.unit.orders.domain.test_order_saga import place, run_to

S = OrderStatus
LATER = timedelta(hours=3)


@pytest.fixture
def quote(ref: ReferenceData, now: datetime) -> Quote:
    return create_quote(
        ref, quote_id="q-1", style="VT02", region="UK", quantity=1, now=now, customer_id="c-1"
    )


def last(order: Order, kind: type[ev.OrderEvent]) -> ev.OrderEvent:
    return [e for e in order.pull_events() if isinstance(e, kind)][-1]


def test_a_single_style_orders_parcel_is_kept_with_its_warehouse(
    quote: Quote, now: datetime
) -> None:
    order = place(quote, now)
    run_to(order, S.SHIPMENT_CREATED, now)
    assert [
        (p.warehouse, p.shipment_id, p.tracking_number, p.carrier) for p in order.shipments
    ] == [("US-NJ", "shp-1", "SBX1", "sbx")]


@pytest.mark.parametrize("by", ["customer", "agent", "system"])
def test_the_cancelled_event_says_who_cancelled_and_releases_the_hold(
    quote: Quote, now: datetime, by: str
) -> None:
    order = place(quote, now)
    run_to(order, S.PAYMENT_AUTHORIZED, now)
    order.cancel(now + LATER, by=by)
    event = last(order, ev.OrderCancelled)
    assert isinstance(event, ev.OrderCancelled)
    assert (event.cancelled_by, event.amount_released) == (by, quote.total)
    assert event.occurred_at == now + LATER


def test_an_order_cancelled_before_payment_releases_no_hold(quote: Quote, now: datetime) -> None:
    order = place(quote, now)
    order.cancel(now, by="customer")
    event = last(order, ev.OrderCancelled)
    assert isinstance(event, ev.OrderCancelled) and event.amount_released is None


def test_a_refund_is_recorded_with_its_id_amount_and_time(quote: Quote, now: datetime) -> None:
    order = place(quote, now)
    run_to(order, S.DELIVERED, now)
    order.refund("re-1", now + LATER)
    assert order.status is S.REFUNDED
    assert (order.timeline[-1].status, order.timeline[-1].at) == (S.REFUNDED, now + LATER)
    event = last(order, ev.OrderRefunded)
    assert isinstance(event, ev.OrderRefunded)
    assert (event.refund_id, event.refund_amount, event.occurred_at) == (
        "re-1",
        quote.total,
        now + LATER,
    )


def test_a_failure_keeps_the_providers_wording_for_agents(quote: Quote, now: datetime) -> None:
    order = place(quote, now)
    order.fail(FailureReason.PAYMENT_DECLINED, now, detail="issuer: do not honour")
    assert order.failure is not None
    assert (order.failure.reason, order.failure.detail) == (
        FailureReason.PAYMENT_DECLINED,
        "issuer: do not honour",
    )
    assert order.failure.message  # customer-actionable, in words


def test_nothing_is_undone_for_a_live_order_and_the_refusal_says_which(
    quote: Quote, now: datetime
) -> None:
    """The refusal's details name the order and its status (what an error body carries)."""
    order = place(quote, now)
    run_to(order, S.STOCK_RESERVED, now)
    with pytest.raises(InvalidTransition) as refused:
        order.record_compensated(Compensation.RELEASE_STOCK, now)
    assert refused.value.details == {"order_id": "o-1", "status": "stock_reserved"}
    assert isinstance(refused.value.message, str) and refused.value.message


def test_a_compensation_of_a_step_never_run_is_refused_and_says_which(
    quote: Quote, now: datetime
) -> None:
    order = place(quote, now)
    run_to(order, S.PAYMENT_AUTHORIZED, now)
    order.cancel(now, by="customer")
    with pytest.raises(InvalidTransition) as refused:
        order.record_compensated(Compensation.CANCEL_SHIPMENT, now)
    assert refused.value.details == {"order_id": "o-1", "compensation": "cancel_shipment"}
    assert isinstance(refused.value.message, str) and refused.value.message


def test_the_parcels_are_cancelled_by_the_shipment_cancellation_only(
    quote: Quote, now: datetime
) -> None:
    """Cancelling before the parcels leave cancels every parcel at the carrier (docs/returns.md);
    releasing the stock or voiding the card leaves the parcel as it is."""
    order = place(quote, now)
    run_to(order, S.CONFIRMED, now)
    order.cancel(now, by="customer")
    order.record_compensated(Compensation.RELEASE_STOCK, now)
    order.record_compensated(Compensation.VOID_AUTHORIZATION, now)
    assert [p.status for p in order.shipments] == [ShipmentStatus.BOOKED]
    order.record_compensated(Compensation.CANCEL_SHIPMENT, now)
    assert [p.status for p in order.shipments] == [ShipmentStatus.CANCELLED]


def test_a_single_style_parcel_event_names_no_cart_parcel(quote: Quote, now: datetime) -> None:
    """docs/asyncapi.json: `parcel_warehouse` and `customs_lines` describe a cart order's parcel;
    a single-style order's shipment_created event has its one customs declaration only."""
    order = place(quote, now)
    run_to(order, S.SHIPMENT_CREATED, now)
    event = last(order, ev.OrderShipmentCreated)
    assert isinstance(event, ev.OrderShipmentCreated)
    assert (event.parcel_customs, event.warehouse) == ((), None)
    assert event.customs == quote.customs


def test_shipping_records_the_capture_and_announces_the_latest_delivery_day(
    quote: Quote, now: datetime
) -> None:
    """The payment is captured once, when the first parcel leaves (docs/returns.md); the shipped
    event carries the latest expected delivery confirmed for the order (VT02 from US-NJ to the
    UK: 5 to 8 days)."""
    order = place(quote, now)
    run_to(order, S.CONFIRMED, now)
    order.record_shipped("cap-1", now + LATER)
    assert order.step_data(Step.CAPTURE_PAYMENT) == {"capture_id": "cap-1"}
    event = last(order, ev.OrderShipped)
    assert isinstance(event, ev.OrderShipped)
    assert quote.delivery_days == (5, 8)
    assert event.delivery_to == (now + timedelta(days=8)).date()


def test_delivery_dates_the_parcel_and_names_its_tracking_number(
    quote: Quote, now: datetime
) -> None:
    """A line's 30 days run from its parcel's delivery (carts-and-returns.md)."""
    order = place(quote, now)
    run_to(order, S.SHIPPED, now)
    order.record_delivered(now + LATER)
    assert [(p.status, p.delivered_at) for p in order.shipments] == [
        (ShipmentStatus.DELIVERED, now + LATER)
    ]
    assert order.step_data(Step.DELIVER) == {}
    event = last(order, ev.OrderDelivered)
    assert isinstance(event, ev.OrderDelivered)
    assert (event.tracking_number, event.delivered_on) == ("SBX1", (now + LATER).date())


@pytest.mark.parametrize("authorized", [True, False])
def test_a_failed_order_releases_the_hold_only_if_the_card_was_authorized(
    quote: Quote, now: datetime, authorized: bool
) -> None:
    order = place(quote, now)
    if authorized:
        run_to(order, S.PAYMENT_AUTHORIZED, now)
    order.fail(FailureReason.OUT_OF_STOCK, now)
    event = last(order, ev.OrderFailed)
    assert isinstance(event, ev.OrderFailed)
    assert event.amount_released == (quote.total if authorized else None)


@pytest.mark.parametrize(
    ("undone", "strays_checked", "open_"),
    [
        (False, False, True),  # compensations owed
        (False, True, True),
        (True, False, True),  # all undone, strays not yet looked for
        (True, True, False),
    ],
)
def test_a_failed_order_stays_open_until_undone_and_checked_for_strays(
    quote: Quote, now: datetime, undone: bool, strays_checked: bool, open_: bool
) -> None:
    order = place(quote, now)
    run_to(order, S.PAYMENT_AUTHORIZED, now)
    order.fail(FailureReason.OUT_OF_STOCK, now)
    if undone:
        order.record_compensated(Compensation.VOID_AUTHORIZATION, now)
    order.strays_checked = strays_checked
    assert order.saga_open is open_


def test_the_authorization_is_recorded_with_the_amount_held(quote: Quote, now: datetime) -> None:
    """The saga authorizes the order's total in the customer's currency (cross-border.md)."""
    order = place(quote, now)
    order.record_payment_authorized("auth-1", now)
    assert order.step_data(Step.AUTHORIZE_PAYMENT) == {
        "authorization_id": "auth-1",
        "amount": str(quote.total.amount),
    }
    assert quote.total.currency == "GBP"


def test_an_illegal_move_is_refused_with_the_order_and_both_statuses(
    quote: Quote, now: datetime
) -> None:
    order = place(quote, now)
    with pytest.raises(InvalidTransition) as refused:
        order.confirm(now)
    assert refused.value.details == {"order_id": "o-1", "from": "pending", "to": "confirmed"}
    assert isinstance(refused.value.message, str) and refused.value.message


def test_another_customers_quote_is_not_found_and_the_refusal_names_it(
    quote: Quote, now: datetime
) -> None:
    """Someone else's quote is answered as missing (never as forbidden), naming the quote."""
    with pytest.raises(QuoteNotFound) as refused:
        Order.place(order_id="o-1", quote=quote, customer_id="c-2", payment_token="tok_ok", now=now)
    assert refused.value.details == {"quote_id": "q-1"}
    assert isinstance(refused.value.message, str) and refused.value.message
