"""Exchanges: a return plus a new order in one step (carts-and-returns.md, "Returns").

The new item is quoted and reserved at once, so it cannot sell out while the parcel travels.
The returned item's refund (by the refund rule) is the customer's credit; the new item costs its
full quote, which already includes the landed cost (shipping, duty, import VAT) when it comes
from another region. If the customer owes more, the difference is charged at once; if they are
owed money, it is refunded like any refund: only once the parcel is scanned in.
If the parcel never arrives by the deadline, the customer's choice made at the start applies:
the new item is charged in full, or the exchange order is cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.orders.domain.money import CurrencyMismatch, Money
from services.orders.domain.refunds import ReturnRefund
from services.orders.domain.returns import ReturnPolicy
from services.orders.domain.shipment_charges import ShipmentTreatment
from services.orders.domain.shipments import CartQuote
from shared.errors import Conflict


class ExchangeFallback(StrEnum):
    """What the customer chose, at the start, for a return parcel that never arrives."""

    CHARGE_IN_FULL = "charge_in_full"
    CANCEL = "cancel"


class DifferenceDirection(StrEnum):
    CHARGE = "charge"  # the new item costs more than the credit
    REFUND = "refund"  # it costs less
    NONE = "none"


class ExchangeParcelNotOverdue(Conflict):
    code = "exchange_parcel_not_overdue"


@dataclass(frozen=True, slots=True)
class PriceDifference:
    direction: DifferenceDirection
    amount: Money  # never negative: the direction says who pays


def price_difference(credit: ReturnRefund, replacement: CartQuote) -> PriceDifference:
    """The new item's full quote against the refund the returned item earns."""
    if credit.currency != replacement.currency:
        raise CurrencyMismatch(
            f"an exchange is priced in one currency, got {credit.currency} and "
            f"{replacement.currency}"
        )
    delta = replacement.total - credit.total
    if delta.amount > 0:
        return PriceDifference(DifferenceDirection.CHARGE, delta)
    if delta.amount < 0:
        return PriceDifference(DifferenceDirection.REFUND, credit.total - replacement.total)
    return PriceDifference(DifferenceDirection.NONE, delta)


@dataclass(frozen=True, slots=True)
class Exchange:
    return_id: str
    replacement_quote_id: str
    fallback: ExchangeFallback
    started_at: datetime
    parcel_deadline: datetime
    credit: Money
    replacement_total: Money
    difference: PriceDifference
    replacement_from_another_region: bool  # its price is a landed cost

    @property
    def charged_at_start(self) -> Money:
        return self._if(DifferenceDirection.CHARGE)

    @property
    def refund_when_parcel_arrives(self) -> Money:
        return self._if(DifferenceDirection.REFUND)

    def _if(self, direction: DifferenceDirection) -> Money:
        if self.difference.direction is direction:
            return self.difference.amount
        return Money.zero(self.credit.currency)


def start_exchange(
    policy: ReturnPolicy,
    *,
    return_id: str,
    credit: ReturnRefund,
    replacement: CartQuote,
    fallback: ExchangeFallback,
    now: datetime,
) -> Exchange:
    return Exchange(
        return_id=return_id,
        replacement_quote_id=replacement.quote_id,
        fallback=fallback,
        started_at=now,
        parcel_deadline=now + policy.exchange_parcel_deadline,
        credit=credit.total,
        replacement_total=replacement.total,
        difference=price_difference(credit, replacement),
        replacement_from_another_region=any(
            s.treatment is not ShipmentTreatment.LOCAL for s in replacement.shipments
        ),
    )


@dataclass(frozen=True, slots=True)
class UnreturnedOutcome:
    """What to do once the deadline has passed without the parcel."""

    action: ExchangeFallback
    charge: Money  # to take now on the original payment
    refund: Money  # to give back now
    cancel_replacement: bool  # cancel the exchange order and release its reservation


def settle_unreturned(exchange: Exchange, now: datetime) -> UnreturnedOutcome:
    """Apply the customer's choice; the credit is never earned, since nothing came back."""
    if now <= exchange.parcel_deadline:
        raise ExchangeParcelNotOverdue(
            "the return parcel can still arrive",
            details={
                "return_id": exchange.return_id,
                "deadline": exchange.parcel_deadline.isoformat(),
            },
        )
    zero = Money.zero(exchange.credit.currency)
    if exchange.fallback is ExchangeFallback.CHARGE_IN_FULL:
        # The customer keeps the new item at its full price; any difference paid already counts.
        owed = exchange.replacement_total - exchange.charged_at_start
        return UnreturnedOutcome(exchange.fallback, owed, zero, cancel_replacement=False)
    # Cancelled: nothing is owed, and a difference already charged goes back.
    return UnreturnedOutcome(
        exchange.fallback, zero, exchange.charged_at_start, cancel_replacement=True
    )
