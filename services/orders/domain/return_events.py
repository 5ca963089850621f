"""Events of a return (`orders.return.*`): ids, codes and figures only.

No names, addresses or free text: the reason is a code, amounts are figures with their
currency. `ReturnRefunded` carries for finance what the brand can reclaim from customs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.orders.domain.money import Money


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundLineFigures:
    style: str
    quantity: int
    goods: Money
    shipping: Money
    duty: Money
    vat: Money
    reclaimable_duty: Money
    reclaimable_import_vat: Money

    @property
    def total(self) -> Money:
        return self.goods + self.shipping + self.duty + self.vat


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundFigures:
    """A return's refund by the rule (refunds.py), as figures that can be stored and sent."""

    currency: str
    total: Money
    goods: Money
    shipping: Money
    duty: Money
    vat: Money
    reclaimable_duty: Money
    reclaimable_import_vat: Money
    lines: tuple[RefundLineFigures, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnFacts:
    """What every return event says about the return."""

    return_id: str
    return_number: str
    order_id: str
    customer_id: str
    agent_id: str | None
    region: str
    status: str  # after the event
    resolution: str  # refund or exchange
    lines: tuple[tuple[str, int, str], ...]  # (style, quantity, reason code)
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnEvent:
    ret: ReturnFacts
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeFacts:
    style: str
    quantity: int
    warehouse: str
    reservation_id: str
    replacement_total: Money
    difference_direction: str  # charge, refund or none
    difference: Money
    if_not_returned: str  # charge or cancel
    parcel_deadline: datetime
    # The new item's outbound parcel once booked: (tracking number, carrier); None before.
    parcel: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnRequested(ReturnEvent):
    refund: RefundFigures  # what the return will refund once the parcel is in
    carrier: str
    tracking_numbers: tuple[str, ...]
    exchange: ExchangeFacts | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnInTransit(ReturnEvent):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnReceived(ReturnEvent):
    received_by: str  # parcel_scanned_in or warehouse_received


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnRefunded(ReturnEvent):
    refund_id: str | None  # None when an exchange owes nothing back
    amount_refunded: Money  # paid back to the card: the refund, or an exchange's difference
    refund: RefundFigures  # the rule's figures, reclaimable duty and import VAT included
    exchange: ExchangeFacts | None = None  # an exchange: its terms and the new item's parcel


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnCancelled(ReturnEvent):
    cancelled_by: str  # actor type


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnExpired(ReturnEvent):
    exchange_outcome: str | None  # charge_in_full or cancel, for an exchange
    charged: Money | None
    refunded: Money | None


ReturnEvents = (
    ReturnRequested | ReturnInTransit | ReturnReceived | ReturnRefunded | ReturnCancelled
) | ReturnExpired
