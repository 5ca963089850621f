"""The order saga's vocabulary: statuses, legal transitions, steps and their compensations.

pending -> payment_authorized -> stock_reserved -> shipment_created -> confirmed -> shipped ->
delivered. Before shipping, an order can fail (with a reason the customer can act on) or be
cancelled; either way the completed steps are undone in reverse order. Payment is captured when
the parcel ships, so until then undoing a payment means voiding the authorization.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAYMENT_AUTHORIZED = "payment_authorized"
    STOCK_RESERVED = "stock_reserved"
    SHIPMENT_CREATED = "shipment_created"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


S = OrderStatus
_UNDOABLE = {S.FAILED, S.CANCELLED}
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING: frozenset({S.PAYMENT_AUTHORIZED} | _UNDOABLE),
    S.PAYMENT_AUTHORIZED: frozenset({S.STOCK_RESERVED} | _UNDOABLE),
    S.STOCK_RESERVED: frozenset({S.SHIPMENT_CREATED} | _UNDOABLE),
    S.SHIPMENT_CREATED: frozenset({S.CONFIRMED} | _UNDOABLE),
    # Once confirmed nothing can fail on our side any more; the customer may still cancel.
    S.CONFIRMED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


class Step(StrEnum):
    AUTHORIZE_PAYMENT = "authorize_payment"
    RESERVE_STOCK = "reserve_stock"
    CREATE_SHIPMENT = "create_shipment"
    CONFIRM = "confirm"
    CAPTURE_PAYMENT = "capture_payment"
    DELIVER = "deliver"


class Compensation(StrEnum):
    VOID_AUTHORIZATION = "void_authorization"
    RELEASE_STOCK = "release_stock"
    CANCEL_SHIPMENT = "cancel_shipment"


COMPENSATION_OF: dict[Step, Compensation] = {
    Step.AUTHORIZE_PAYMENT: Compensation.VOID_AUTHORIZATION,
    Step.RESERVE_STOCK: Compensation.RELEASE_STOCK,
    Step.CREATE_SHIPMENT: Compensation.CANCEL_SHIPMENT,
}

# Where the runner may already have booked a shipment (recorded or not): a cancel must ask the
# carrier first, since only the carrier knows whether the parcel has left.
SHIPMENT_MAY_BE_BOOKED = frozenset({S.STOCK_RESERVED, S.SHIPMENT_CREATED, S.CONFIRMED})


def step_key(order_id: str, step: Step | Compensation) -> str:
    """The idempotency key of a step's provider call (a repeat finds the first result)."""
    return f"{order_id}:{step}"


# The forward step the saga runner performs next, by current status (resume after a crash).
NEXT_STEP: dict[OrderStatus, Step] = {
    S.PENDING: Step.AUTHORIZE_PAYMENT,
    S.PAYMENT_AUTHORIZED: Step.RESERVE_STOCK,
    S.STOCK_RESERVED: Step.CREATE_SHIPMENT,
    S.SHIPMENT_CREATED: Step.CONFIRM,
}


class FailureReason(StrEnum):
    PAYMENT_DECLINED = "payment_declined"
    PAYMENT_UNAVAILABLE = "payment_unavailable"
    OUT_OF_STOCK = "out_of_stock"
    QUOTE_EXPIRED = "quote_expired"
    CARRIER_REFUSED = "carrier_refused"


# What the customer is told, and what they can do about it.
CUSTOMER_MESSAGES: dict[FailureReason, str] = {
    FailureReason.PAYMENT_DECLINED: (
        "Your card was declined and you have not been charged. Please use another card."
    ),
    FailureReason.PAYMENT_UNAVAILABLE: (
        "We could not reach the payment provider and you have not been charged. "
        "Please try again in a few minutes."
    ),
    FailureReason.OUT_OF_STOCK: (
        "This item sold out before we could reserve it; your payment was released. "
        "Join the waitlist and we will tell you when it is back."
    ),
    FailureReason.QUOTE_EXPIRED: (
        "Your quote expired before the order went through. Please request a new quote."
    ),
    FailureReason.CARRIER_REFUSED: (
        "The carrier could not accept this shipment; your payment and the item were released. "
        "Please choose another delivery option or contact us."
    ),
}


# Machine-readable "what you can do", for clients and message templates.
ADVICE_CODES: dict[FailureReason, str] = {
    FailureReason.PAYMENT_DECLINED: "use_another_card",
    FailureReason.PAYMENT_UNAVAILABLE: "try_again_later",
    FailureReason.OUT_OF_STOCK: "join_waitlist",
    FailureReason.QUOTE_EXPIRED: "request_new_quote",
    FailureReason.CARRIER_REFUSED: "contact_support",
}
