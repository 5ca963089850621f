"""The order saga's spec, written out by hand from cross-border.md: every (status, action) pair.

pending -> payment_authorized -> stock_reserved -> shipment_created -> confirmed -> shipped ->
delivered. Until it ships an order can fail (payment declined, stock gone, carrier refusal,
expired quote) or be cancelled; once confirmed nothing can fail on our side, though the customer
may still cancel; a shipped or delivered order can only be refunded. The outcomes are typed out
by hand, never derived from `saga.TRANSITIONS`. The state-table tests and the table mutation run
(tests/mutation) both check the code against it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

import pytest

from services.orders.domain import events as ev
from services.orders.domain import saga
from services.orders.domain.orders import Order
from services.orders.domain.quotes import Quote
from services.orders.domain.saga import FailureReason, OrderStatus, Step
from shared.errors import InvalidTransition

S = OrderStatus

ACTIONS = (
    "authorize_payment", "reserve_stock", "create_shipment", "confirm", "ship", "deliver",
    "fail", "cancel", "refund",
)  # fmt: skip

# status -> (allowed: action -> next status, refused actions)
SPEC: dict[OrderStatus, tuple[dict[str, OrderStatus], tuple[str, ...]]] = {
    S.PENDING: (
        {"authorize_payment": S.PAYMENT_AUTHORIZED, "fail": S.FAILED, "cancel": S.CANCELLED},
        ("reserve_stock", "create_shipment", "confirm", "ship", "deliver", "refund"),
    ),
    S.PAYMENT_AUTHORIZED: (
        {"reserve_stock": S.STOCK_RESERVED, "fail": S.FAILED, "cancel": S.CANCELLED},
        ("authorize_payment", "create_shipment", "confirm", "ship", "deliver", "refund"),
    ),
    S.STOCK_RESERVED: (
        {"create_shipment": S.SHIPMENT_CREATED, "fail": S.FAILED, "cancel": S.CANCELLED},
        ("authorize_payment", "reserve_stock", "confirm", "ship", "deliver", "refund"),
    ),
    S.SHIPMENT_CREATED: (
        {"confirm": S.CONFIRMED, "fail": S.FAILED, "cancel": S.CANCELLED},
        ("authorize_payment", "reserve_stock", "create_shipment", "ship", "deliver", "refund"),
    ),
    # Nothing can fail once confirmed; the customer may still cancel until it ships.
    S.CONFIRMED: (
        {"ship": S.SHIPPED, "cancel": S.CANCELLED},
        ("authorize_payment", "reserve_stock", "create_shipment", "confirm", "deliver", "fail",
         "refund"),
    ),
    S.SHIPPED: (
        {"deliver": S.DELIVERED, "refund": S.REFUNDED},
        ("authorize_payment", "reserve_stock", "create_shipment", "confirm", "ship", "fail",
         "cancel"),
    ),
    S.DELIVERED: (
        {"refund": S.REFUNDED},
        ("authorize_payment", "reserve_stock", "create_shipment", "confirm", "ship", "deliver",
         "fail", "cancel"),
    ),
    S.FAILED: (
        {},
        ("authorize_payment", "reserve_stock", "create_shipment", "confirm", "ship", "deliver",
         "fail", "cancel", "refund"),
    ),
    S.CANCELLED: (
        {},
        ("authorize_payment", "reserve_stock", "create_shipment", "confirm", "ship", "deliver",
         "fail", "cancel", "refund"),
    ),
    S.REFUNDED: (
        {},
        ("authorize_payment", "reserve_stock", "create_shipment", "confirm", "ship", "deliver",
         "fail", "cancel", "refund"),
    ),
}  # fmt: skip

EVENT: dict[str, type[ev.OrderEvent]] = {
    "authorize_payment": ev.OrderPaymentAuthorized, "reserve_stock": ev.OrderStockReserved,
    "create_shipment": ev.OrderShipmentCreated, "confirm": ev.OrderConfirmed,
    "ship": ev.OrderShipped, "deliver": ev.OrderDelivered, "fail": ev.OrderFailed,
    "cancel": ev.OrderCancelled, "refund": ev.OrderRefunded,
}  # fmt: skip

# The step the saga runner resumes with after a crash; none once confirmed or finished.
NEXT_STEP_BY_SPEC: dict[OrderStatus, Step | None] = {
    S.PENDING: Step.AUTHORIZE_PAYMENT,
    S.PAYMENT_AUTHORIZED: Step.RESERVE_STOCK,
    S.STOCK_RESERVED: Step.CREATE_SHIPMENT,
    S.SHIPMENT_CREATED: Step.CONFIRM,
    S.CONFIRMED: None,
    S.SHIPPED: None,
    S.DELIVERED: None,
    S.FAILED: None,
    S.CANCELLED: None,
    S.REFUNDED: None,
}
TERMINAL_BY_SPEC = {S.FAILED, S.CANCELLED, S.REFUNDED}
# The runner may have booked a shipment from stock_reserved on (recorded or not) until it ships.
CARRIER_FIRST_BY_SPEC = {S.STOCK_RESERVED, S.SHIPMENT_CREATED, S.CONFIRMED}

PATH: dict[OrderStatus, tuple[str, ...]] = {
    S.PENDING: (),
    S.PAYMENT_AUTHORIZED: ("authorize_payment",),
    S.STOCK_RESERVED: ("authorize_payment", "reserve_stock"),
    S.SHIPMENT_CREATED: ("authorize_payment", "reserve_stock", "create_shipment"),
    S.CONFIRMED: ("authorize_payment", "reserve_stock", "create_shipment", "confirm"),
    S.SHIPPED: ("authorize_payment", "reserve_stock", "create_shipment", "confirm", "ship"),
    S.DELIVERED: ("authorize_payment", "reserve_stock", "create_shipment", "confirm", "ship",
                  "deliver"),
    S.FAILED: ("authorize_payment", "fail"),
    S.CANCELLED: ("authorize_payment", "cancel"),
    S.REFUNDED: ("authorize_payment", "reserve_stock", "create_shipment", "confirm", "ship",
                 "refund"),
}  # fmt: skip


def _calls(order: Order, now: datetime) -> dict[str, Callable[[], None]]:
    return {
        "authorize_payment": lambda: order.record_payment_authorized("auth-1", now),
        "reserve_stock": lambda: order.record_stock_reserved("res-1", now),
        "create_shipment": lambda: order.record_shipment_created("shp-1", "SBX1", "sbx", now),
        "confirm": lambda: order.confirm(now),
        "ship": lambda: order.record_shipped("cap-1", now),
        "deliver": lambda: order.record_delivered(now),
        "fail": lambda: order.fail(FailureReason.CARRIER_REFUSED, now),
        "cancel": lambda: order.cancel(now, by="customer"),
        "refund": lambda: order.refund("re-1", now),
    }


def order_in(status: OrderStatus, quote: Quote, now: datetime) -> Order:
    order = Order.place(
        order_id="o-1", quote=quote, customer_id="c-1", payment_token="tok_ok", now=now
    )
    for action in PATH[status]:
        _calls(order, now)[action]()
    assert order.status is status
    return order


PAIRS = [(status, action) for status in SPEC for action in ACTIONS]


def check_spec_table_is_complete() -> None:
    """The spec table names every status and every action once."""
    assert set(SPEC) == set(OrderStatus) == set(NEXT_STEP_BY_SPEC)
    for status, (allowed, refused) in SPEC.items():
        assert not set(allowed) & set(refused), status
        assert sorted([*allowed, *refused]) == sorted(ACTIONS), status
    # Every status the code can move to is reachable by one of the actions above.
    assert set(EVENT) == set(ACTIONS)


def check_pair(status: OrderStatus, action: str, quote: Quote, now: datetime) -> None:
    """`action` on an order in `status` does what the spec says (a plain function: the table
    mutation test in tests/mutation calls it too)."""
    allowed, _refused = SPEC[status]
    order = order_in(status, quote, now)
    order.pull_events()
    if action in allowed:
        _calls(order, now)[action]()
        assert order.status is allowed[action]
        assert [type(e) for e in order.pull_events()] == [EVENT[action]]
        assert order.timeline[-1].status is allowed[action]
        return
    before = copy.deepcopy(order)
    with pytest.raises(InvalidTransition):
        _calls(order, now)[action]()
    assert order.status is status
    assert order.pull_events() == []
    assert order.timeline == before.timeline and order.steps == before.steps


def check_status(status: OrderStatus, quote: Quote, now: datetime) -> None:
    """What a status means beyond its moves: cancellable, resume step, terminal, carrier first."""
    order = order_in(status, quote, now)
    if "cancel" in SPEC[status][0]:
        order.check_cancellable()
    else:
        with pytest.raises(InvalidTransition):
            order.check_cancellable()
    assert order.status is status
    assert order.next_step is NEXT_STEP_BY_SPEC[status]
    assert (status in saga.TERMINAL) is (status in TERMINAL_BY_SPEC)
    assert (status in saga.SHIPMENT_MAY_BE_BOOKED) is (status in CARRIER_FIRST_BY_SPEC)


def check_code_table_has_no_move_the_spec_lacks() -> None:
    """Belt and braces: a move in the code's table that no action of the spec allows."""
    for status, targets in saga.TRANSITIONS.items():
        assert set(targets) == set(SPEC[status][0].values()), status
