from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.orders.adapters.wire import payload
from services.orders.domain import events as ev
from services.orders.domain.errors import QuoteExpired, QuoteNotFound
from services.orders.domain.orders import Order
from services.orders.domain.quotes import Quote, create_quote
from services.orders.domain.reference import ReferenceData
from services.orders.domain.saga import Compensation, FailureReason, OrderStatus, Step
from shared.errors import InvalidTransition

S = OrderStatus
T = timedelta(seconds=1)


@pytest.fixture
def quote(ref: ReferenceData, now: datetime) -> Quote:
    return create_quote(
        ref, quote_id="q-1", style="TC11", region="UK", quantity=1, now=now, customer_id="c-1"
    )


def place(quote: Quote, now: datetime, **kw) -> Order:
    return Order.place(
        order_id="o-1", quote=quote, customer_id="c-1", payment_token="tok_ok", now=now, **kw
    )


def run_to(order: Order, status: OrderStatus, now: datetime) -> None:
    steps = [
        (S.PAYMENT_AUTHORIZED, lambda: order.record_payment_authorized("auth-1", now)),
        (S.STOCK_RESERVED, lambda: order.record_stock_reserved("res-1", now)),
        (S.SHIPMENT_CREATED, lambda: order.record_shipment_created("shp-1", "SBX1", "sbx", now)),
        (S.CONFIRMED, lambda: order.confirm(now)),
        (S.SHIPPED, lambda: order.record_shipped("cap-1", now)),
        (S.DELIVERED, lambda: order.record_delivered(now)),
    ]
    order_of = [S.PENDING] + [t for t, _ in steps]
    for target, action in steps:
        if order_of.index(order.status) >= order_of.index(status):
            return
        if order_of.index(target) <= order_of.index(order.status):
            continue
        action()
        assert order.status is target


def test_happy_path_emits_one_event_per_step(quote, now) -> None:
    order = place(quote, now)
    assert order.next_step is Step.AUTHORIZE_PAYMENT
    run_to(order, S.DELIVERED, now)
    kinds = [type(e) for e in order.pull_events()]
    assert kinds == [
        ev.OrderPlaced,
        ev.OrderPaymentAuthorized,
        ev.OrderStockReserved,
        ev.OrderShipmentCreated,
        ev.OrderConfirmed,
        ev.OrderShipped,
        ev.OrderDelivered,
    ]
    assert order.pull_events() == []
    assert order.timeline[0].status is S.PENDING
    assert order.timeline[-1].status is S.DELIVERED
    assert order.authorization_id == "auth-1" and order.reservation_id == "res-1"
    assert order.shipment_id == "shp-1" and order.tracking_number == "SBX1"


def test_next_step_drives_resume(quote, now) -> None:
    order = place(quote, now)
    expected = [Step.AUTHORIZE_PAYMENT, Step.RESERVE_STOCK, Step.CREATE_SHIPMENT, Step.CONFIRM]
    seen = []
    for target in (S.PAYMENT_AUTHORIZED, S.STOCK_RESERVED, S.SHIPMENT_CREATED, S.CONFIRMED):
        seen.append(order.next_step)
        run_to(order, target, now)
    assert seen == expected
    assert order.next_step is None


def test_shipment_event_carries_customs_data(quote, now) -> None:
    order = place(quote, now)
    run_to(order, S.SHIPMENT_CREATED, now)
    event = order.pull_events()[-1]
    assert payload(event)["customs"] == {
        "hs_code": "4202.32",
        "origin_country": "VN",
        "quantity": 1,
        "declared_value": "60.47",
        "currency": "GBP",
        "incoterm": "DDP",
    }


def test_events_carry_no_personal_data(quote, now) -> None:
    order = place(quote, now)
    run_to(order, S.DELIVERED, now)
    forbidden = {"name", "email", "phone", "address", "payment_token"}
    for event in order.pull_events():
        assert not forbidden & set(payload(event))
        assert "tok_ok" not in str(payload(event)) and "tok_ok" not in repr(event)


@pytest.mark.parametrize(
    "action",
    [
        lambda o, t: o.record_stock_reserved("r", t),
        lambda o, t: o.confirm(t),
        lambda o, t: o.record_shipped("c", t),
        lambda o, t: o.record_delivered(t),
        lambda o, t: o.refund("re", t),
    ],
)
def test_illegal_transitions_raise_and_change_nothing(quote, now, action) -> None:
    order = place(quote, now)
    order.pull_events()
    with pytest.raises(InvalidTransition):
        action(order, now)
    assert order.status is S.PENDING
    assert order.steps == {} and order.pull_events() == []


def test_expired_quote_cannot_be_ordered(quote, now) -> None:
    with pytest.raises(QuoteExpired):
        place(quote, now + timedelta(minutes=31))


def test_another_customers_quote_is_not_found(quote, now) -> None:
    with pytest.raises(QuoteNotFound):
        Order.place(order_id="o", quote=quote, customer_id="c-2", payment_token="tok_ok", now=now)


def test_agent_order_is_recorded_as_such(quote, now) -> None:
    order = place(quote, now, agent_id="agent-7")
    assert order.agent_id == "agent-7"
    assert payload(order.pull_events()[0])["agent_id"] == "agent-7"


def test_declined_payment_fails_with_actionable_message_and_nothing_to_undo(quote, now) -> None:
    order = place(quote, now)
    order.fail(FailureReason.PAYMENT_DECLINED, now, detail="card declined")
    assert order.status is S.FAILED
    assert order.failure is not None and "another card" in order.failure.message
    assert order.pending_compensations() == []
    event = order.pull_events()[-1]
    assert isinstance(event, ev.OrderFailed)
    assert payload(event)["reason_code"] == "payment_declined"


@pytest.mark.parametrize(
    ("reached", "expected"),
    [
        (S.PAYMENT_AUTHORIZED, [Compensation.VOID_AUTHORIZATION]),
        (S.STOCK_RESERVED, [Compensation.RELEASE_STOCK, Compensation.VOID_AUTHORIZATION]),
        (
            S.SHIPMENT_CREATED,
            [
                Compensation.CANCEL_SHIPMENT,
                Compensation.RELEASE_STOCK,
                Compensation.VOID_AUTHORIZATION,
            ],
        ),
    ],
)
def test_compensations_in_reverse_order_of_completed_steps(quote, now, reached, expected) -> None:
    order = place(quote, now)
    run_to(order, reached, now)
    order.fail(FailureReason.CARRIER_REFUSED, now + T)
    assert order.pending_compensations() == expected


def test_out_of_stock_releases_the_authorization(quote, now) -> None:
    order = place(quote, now)
    run_to(order, S.PAYMENT_AUTHORIZED, now)
    order.fail(FailureReason.OUT_OF_STOCK, now)
    assert "waitlist" in order.failure.message  # type: ignore[union-attr]
    assert order.pending_compensations() == [Compensation.VOID_AUTHORIZATION]


def test_compensation_is_idempotent(quote, now) -> None:
    order = place(quote, now)
    run_to(order, S.STOCK_RESERVED, now)
    order.fail(FailureReason.QUOTE_EXPIRED, now)
    assert order.record_compensated(Compensation.RELEASE_STOCK, now) is True
    assert order.record_compensated(Compensation.RELEASE_STOCK, now + T) is False  # no-op
    assert order.compensated[Compensation.RELEASE_STOCK] == now
    assert order.pending_compensations() == [Compensation.VOID_AUTHORIZATION]
    assert order.record_compensated(Compensation.VOID_AUTHORIZATION, now) is True
    assert order.pending_compensations() == []
    assert order.record_compensated(Compensation.VOID_AUTHORIZATION, now) is False


def test_cannot_compensate_a_step_that_never_ran(quote, now) -> None:
    order = place(quote, now)
    run_to(order, S.PAYMENT_AUTHORIZED, now)
    order.fail(FailureReason.OUT_OF_STOCK, now)
    with pytest.raises(InvalidTransition):
        order.record_compensated(Compensation.CANCEL_SHIPMENT, now)


def test_cannot_compensate_a_live_order(quote, now) -> None:
    order = place(quote, now)
    run_to(order, S.PAYMENT_AUTHORIZED, now)
    with pytest.raises(InvalidTransition):
        order.record_compensated(Compensation.VOID_AUTHORIZATION, now)


def test_cancel_before_shipping_undoes_everything(quote, now) -> None:
    order = place(quote, now)
    run_to(order, S.CONFIRMED, now)
    order.cancel(now, by="c-1")
    assert order.status is S.CANCELLED
    assert order.pending_compensations() == [
        Compensation.CANCEL_SHIPMENT,
        Compensation.RELEASE_STOCK,
        Compensation.VOID_AUTHORIZATION,
    ]
    assert isinstance(order.pull_events()[-1], ev.OrderCancelled)


def test_cancellable_is_checked_without_changing_anything(quote, now) -> None:
    order = place(quote, now)
    run_to(order, S.CONFIRMED, now)
    order.pull_events()
    order.check_cancellable()  # asked before the carrier is: the order itself is untouched
    assert order.status is S.CONFIRMED and order.pull_events() == []
    run_to(order, S.SHIPPED, now)
    with pytest.raises(InvalidTransition):
        order.check_cancellable()


def test_shipped_order_cannot_be_cancelled_or_failed_but_can_be_refunded(quote, now) -> None:
    order = place(quote, now)
    run_to(order, S.SHIPPED, now)
    with pytest.raises(InvalidTransition):
        order.cancel(now)
    with pytest.raises(InvalidTransition):
        order.fail(FailureReason.CARRIER_REFUSED, now)
    run_to(order, S.DELIVERED, now)
    order.refund("re-1", now)
    assert order.status is S.REFUNDED
    assert isinstance(order.pull_events()[-1], ev.OrderRefunded)


def test_terminal_states_accept_nothing(quote, now) -> None:
    order = place(quote, now)
    order.fail(FailureReason.PAYMENT_DECLINED, now)
    for action in (
        lambda: order.record_payment_authorized("a", now),
        lambda: order.cancel(now),
        lambda: order.fail(FailureReason.OUT_OF_STOCK, now),
    ):
        with pytest.raises(InvalidTransition):
            action()
