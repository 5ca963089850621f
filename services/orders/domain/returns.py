"""Returns for a change of mind: who may return what, and the life of a return.

A delivered line can come back within the window after its delivery; a faulty item goes to
warranty instead (stable code, so the client can offer the claim); nothing comes back twice.
The life of a return is a declarative table: every allowed move is one row, anything else is
refused with `return_invalid_transition` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.orders.domain.errors import InvalidQuantity
from shared.errors import Conflict, DomainError, InvalidTransition


@dataclass(frozen=True, slots=True)
class ReturnPolicy:
    window_days_after_delivery: int
    exchange_parcel_deadline_days: int

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days_after_delivery)

    @property
    def exchange_parcel_deadline(self) -> timedelta:
        return timedelta(days=self.exchange_parcel_deadline_days)

    def closes_at(self, delivered_at: datetime) -> datetime:
        """Until when what a parcel brought can be sent back."""
        return delivered_at + self.window


class ReturnReason(StrEnum):
    CHANGED_MIND = "changed_mind"
    WRONG_SIZE_OR_FIT = "wrong_size_or_fit"
    NOT_AS_PICTURED = "not_as_pictured"
    FAULTY = "faulty"  # never a return: the warranty covers it


class ReturnEmpty(DomainError):
    code = "return_empty"


class ReturnDuplicateLine(DomainError):
    code = "return_duplicate_line"


class ReturnLineNotInOrder(DomainError):
    code = "return_line_not_in_order"


class ReturnNotDelivered(Conflict):
    code = "return_not_delivered"


class ReturnWindowClosed(Conflict):
    code = "return_window_closed"


class ReturnAlreadyReturned(Conflict):
    """More units than are left to return: they are already in a return."""

    code = "return_already_returned"


class ReturnFaultyUseWarranty(DomainError):
    """A faulty item is a warranty claim (repair or replacement), not a change of mind."""

    code = "return_faulty_use_warranty"


@dataclass(frozen=True, slots=True)
class PurchasedLine:
    """A line of an order as the return rules see it (`delivered_at` is its shipment's)."""

    style: str
    quantity: int
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReturnLine:
    style: str
    quantity: int
    reason: ReturnReason


def check_return(
    policy: ReturnPolicy,
    *,
    purchased: Sequence[PurchasedLine],
    requested: Sequence[ReturnLine],
    already_returned: Mapping[str, int],
    now: datetime,
) -> None:
    """Raise the first rule the requested return breaks (in request order), or return None.

    `already_returned` counts units of each style in earlier returns that are not cancelled.
    """
    if not requested:
        raise ReturnEmpty("a return needs at least one line")
    bought = {line.style: line for line in purchased}
    seen: set[str] = set()
    for index, line in enumerate(requested):
        if line.style in seen:
            raise ReturnDuplicateLine(
                f"{line.style} appears twice in the return",
                details={"line": index, "style": line.style},
            )
        seen.add(line.style)
        _check_line(policy, index, line, bought.get(line.style), already_returned, now)


def _check_line(
    policy: ReturnPolicy,
    index: int,
    line: ReturnLine,
    bought: PurchasedLine | None,
    already_returned: Mapping[str, int],
    now: datetime,
) -> None:
    facts = {"line": index, "style": line.style}
    if line.reason is ReturnReason.FAULTY:
        raise ReturnFaultyUseWarranty(
            "A faulty item is repaired or replaced under warranty: open a warranty claim.",
            details=facts,
        )
    if bought is None:
        raise ReturnLineNotInOrder(f"{line.style} is not in this order", details=facts)
    if line.quantity < 1:
        raise InvalidQuantity("quantity must be at least 1", details={**facts, "min": 1})
    if bought.delivered_at is None:
        raise ReturnNotDelivered(f"{line.style} has not been delivered yet", details=facts)
    closes_at = policy.closes_at(bought.delivered_at)
    if now > closes_at:
        raise ReturnWindowClosed(
            f"returns close {policy.window_days_after_delivery} days after delivery",
            details={**facts, "closed_at": closes_at.isoformat()},
        )
    left = units_left(bought, already_returned)
    if line.quantity > left:
        raise ReturnAlreadyReturned(
            f"only {left} of {line.style} can still be returned",
            details={**facts, "requested": line.quantity, "returnable": left},
        )


def units_left(bought: PurchasedLine, already_returned: Mapping[str, int]) -> int:
    """Units of a line a return may still ask for: none before its parcel is delivered, then
    those bought less the units in earlier returns that still count (`already_returned`). The
    order's view shows it per line (`returnable_quantity`); the window is checked apart."""
    if bought.delivered_at is None:
        return 0
    return max(bought.quantity - already_returned.get(bought.style, 0), 0)


class ReturnStatus(StrEnum):
    AWAITING_PARCEL = "awaiting_parcel"  # return number and free label issued
    IN_TRANSIT = "in_transit"  # the carrier has the parcel
    RECEIVED = "received"  # scanned in by the carrier or received by the warehouse
    REFUNDED = "refunded"  # money back on the original payment (an exchange: the difference)
    CANCELLED = "cancelled"  # the customer kept the items after all
    EXPIRED = "expired"  # the parcel never arrived in time
    CONVERTED_TO_CLAIM = "converted_to_claim"  # an agent turned it into a warranty claim


class ReturnTrigger(StrEnum):
    PARCEL_PICKED_UP = "parcel_picked_up"
    PARCEL_SCANNED_IN = "parcel_scanned_in"
    WAREHOUSE_RECEIVED = "warehouse_received"
    REFUND_ISSUED = "refund_issued"
    CUSTOMER_CANCELLED = "customer_cancelled"
    DEADLINE_PASSED = "deadline_passed"
    AGENT_CONVERTED_TO_CLAIM = "agent_converted_to_claim"


S, T = ReturnStatus, ReturnTrigger

# Every allowed move. The refund can only follow RECEIVED: money goes back once the parcel is
# scanned in or received, whichever comes first, never before.
RETURN_TRANSITIONS: Mapping[tuple[ReturnStatus, ReturnTrigger], ReturnStatus] = {
    (S.AWAITING_PARCEL, T.PARCEL_PICKED_UP): S.IN_TRANSIT,
    (S.AWAITING_PARCEL, T.PARCEL_SCANNED_IN): S.RECEIVED,
    (S.AWAITING_PARCEL, T.WAREHOUSE_RECEIVED): S.RECEIVED,
    (S.AWAITING_PARCEL, T.CUSTOMER_CANCELLED): S.CANCELLED,
    (S.AWAITING_PARCEL, T.DEADLINE_PASSED): S.EXPIRED,
    (S.AWAITING_PARCEL, T.AGENT_CONVERTED_TO_CLAIM): S.CONVERTED_TO_CLAIM,
    (S.IN_TRANSIT, T.PARCEL_SCANNED_IN): S.RECEIVED,
    (S.IN_TRANSIT, T.WAREHOUSE_RECEIVED): S.RECEIVED,
    (S.IN_TRANSIT, T.DEADLINE_PASSED): S.EXPIRED,
    (S.IN_TRANSIT, T.AGENT_CONVERTED_TO_CLAIM): S.CONVERTED_TO_CLAIM,
    (S.RECEIVED, T.REFUND_ISSUED): S.REFUNDED,
    (S.RECEIVED, T.AGENT_CONVERTED_TO_CLAIM): S.CONVERTED_TO_CLAIM,
}

# Messages that arrive again, or late, once their effect has happened: accepted as no-ops so
# redelivered carrier scans and a refund step run twice change nothing.
ALREADY_DONE: frozenset[tuple[ReturnStatus, ReturnTrigger]] = frozenset(
    {
        (S.IN_TRANSIT, T.PARCEL_PICKED_UP),
        (S.RECEIVED, T.PARCEL_PICKED_UP),
        (S.RECEIVED, T.PARCEL_SCANNED_IN),
        (S.RECEIVED, T.WAREHOUSE_RECEIVED),
        (S.REFUNDED, T.PARCEL_PICKED_UP),
        (S.REFUNDED, T.PARCEL_SCANNED_IN),
        (S.REFUNDED, T.WAREHOUSE_RECEIVED),
        (S.REFUNDED, T.REFUND_ISSUED),
    }
)


def next_status(current: ReturnStatus, trigger: ReturnTrigger) -> tuple[ReturnStatus, bool]:
    """The status after `trigger`, and whether anything changed (False for a repeat)."""
    if (current, trigger) in ALREADY_DONE:
        return current, False
    target = RETURN_TRANSITIONS.get((current, trigger))
    if target is None:
        raise InvalidTransition(
            f"a return that is {current} cannot take {trigger}",
            code="return_invalid_transition",
            details={"status": str(current), "trigger": str(trigger)},
        )
    return target, True
