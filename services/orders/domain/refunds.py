"""What a change-of-mind return refunds (carts-and-returns.md, "Returns").

The refund is what the customer paid minus what the lines they keep would have cost in the same
quote, as if quoted alone: same FX (the quoted unit prices), same shipping charge, taxes
recomputed on the kept lines (the low-value test included). Keeping nothing still costs the
shipment's shipping charge and the seller VAT on it. Several returns from one order telescope:
each refunds the cost of what was kept before it minus the cost of what is kept after it.

For a DDP shipment the brand paid duty and import VAT as importer; the duty and import VAT on
the returned goods are what it can reclaim (in the UK, HMRC's repayment on returned imports).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

from services.orders.domain.money import Money, money_sum
from services.orders.domain.returns import ReturnAlreadyReturned, ReturnLineNotInOrder
from services.orders.domain.shipment_charges import (
    PricedLine,
    ShipmentCharges,
    ShipmentTreatment,
    apportion,
    price_items,
)
from services.orders.domain.shipments import CartQuote, Shipment

# The amounts a refund reports, on the whole and per returned line.
REFUND_FIGURES = (
    "total",
    "goods",
    "shipping",
    "duty",
    "vat",
    "reclaimable_duty",
    "reclaimable_import_vat",
)


@dataclass(frozen=True, slots=True)
class RefundedLine:
    style: str
    quantity: int
    goods: Money
    shipping: Money  # always zero for a change of mind: outbound shipping is not refunded
    duty: Money
    vat: Money
    reclaimable_duty: Money  # for finance: what the brand can claim back from customs
    reclaimable_import_vat: Money

    @property
    def total(self) -> Money:
        return self.goods + self.shipping + self.duty + self.vat


@dataclass(frozen=True, slots=True)
class ShipmentRefund:
    warehouse: str
    treatment: ShipmentTreatment
    lines: tuple[RefundedLine, ...]
    cost_before: Money  # what the kept lines cost before this return (the paid total at first)
    cost_after: Money  # what the lines still kept cost, quoted alone

    @property
    def total(self) -> Money:
        return self.cost_before - self.cost_after


@dataclass(frozen=True, slots=True)
class ReturnRefund:
    currency: str
    shipments: tuple[ShipmentRefund, ...]

    def _sum(self, figure: str) -> Money:
        values = [getattr(line, figure) for s in self.shipments for line in s.lines]
        return money_sum(values, self.currency)

    @property
    def total(self) -> Money:
        return money_sum([s.total for s in self.shipments], self.currency)

    @property
    def goods(self) -> Money:
        return self._sum("goods")

    @property
    def shipping(self) -> Money:
        return self._sum("shipping")

    @property
    def duty(self) -> Money:
        return self._sum("duty")

    @property
    def vat(self) -> Money:
        return self._sum("vat")

    @property
    def reclaimable_duty(self) -> Money:
        return self._sum("reclaimable_duty")

    @property
    def reclaimable_import_vat(self) -> Money:
        return self._sum("reclaimable_import_vat")

    def figures(self) -> dict[str, object]:
        """The refund as an `orders.return.refunded` event carries it: codes and amounts only
        (the service adds the return and order ids), nothing a person wrote."""
        return {
            "currency": self.currency,
            **{name: str(getattr(self, name).amount) for name in REFUND_FIGURES},
            "lines": [
                {"style": line.style, "quantity": line.quantity}
                | {name: str(getattr(line, name).amount) for name in REFUND_FIGURES}
                for shipment in self.shipments
                for line in shipment.lines
            ],
        }


def refund_for_return(
    quote: CartQuote,
    *,
    returning: Mapping[str, int],
    previously_returned: Mapping[str, int] | None = None,
) -> ReturnRefund:
    """The refund for `returning` (style -> units), after the units of earlier returns."""
    earlier = dict(previously_returned or {})
    _check_returnable(quote, returning, earlier)
    refunds = tuple(
        _shipment_refund(shipment, returning, earlier)
        for shipment in quote.shipments
        if any(style in returning for style in shipment.styles)
    )
    return ReturnRefund(quote.currency, refunds)


def _check_returnable(
    quote: CartQuote, returning: Mapping[str, int], earlier: Mapping[str, int]
) -> None:
    bought = {
        line.item.style: line.item.quantity for s in quote.shipments for line in s.charges.lines
    }
    for style, quantity in returning.items():
        if style not in bought:
            raise ReturnLineNotInOrder(f"{style} is not in this order", details={"style": style})
        left = bought[style] - earlier.get(style, 0)
        if not 1 <= quantity <= left:
            raise ReturnAlreadyReturned(
                f"only {max(left, 0)} of {style} can still be returned",
                details={"style": style, "requested": quantity, "returnable": max(left, 0)},
            )


def kept_cost(shipment: Shipment, removed: Mapping[str, int]) -> ShipmentCharges:
    """What the shipment's lines minus `removed` cost, quoted alone in the same quote."""
    if not any(removed.get(style, 0) for style in shipment.styles):
        return shipment.charges  # nothing removed: exactly what was paid
    kept = [
        replace(x.item, quantity=remaining)
        for x in shipment.charges.lines
        if (remaining := x.item.quantity - removed.get(x.item.style, 0)) > 0
    ]
    return price_items(
        kept,
        shipping=shipment.charges.shipping,
        cross_border=shipment.is_cross_border,
        terms=shipment.terms,
        prices_include_vat=shipment.prices_include_vat,
    )


def _shipment_refund(
    shipment: Shipment, returning: Mapping[str, int], earlier: Mapping[str, int]
) -> ShipmentRefund:
    after_removal = {s: earlier.get(s, 0) + returning.get(s, 0) for s in shipment.styles}
    before = kept_cost(shipment, earlier)
    after = kept_cost(shipment, after_removal)
    returned = [line for line in shipment.charges.lines if line.item.style in returning]
    goods = [line.item.unit_price.times(returning[line.item.style]) for line in returned]
    # The tax difference belongs to the returned lines together (returning one line can move
    # the rest under the low-value threshold), so it is shared pro rata to their goods.
    duty = apportion(before.duty - after.duty, goods)
    vat = apportion(before.vat - after.vat, goods)
    reclaims = _reclaimable(shipment, returning)
    lines = tuple(
        RefundedLine(
            style=line.item.style,
            quantity=returning[line.item.style],
            goods=line_goods,
            shipping=Money.zero(line_goods.currency),
            duty=line_duty,
            vat=line_vat,
            reclaimable_duty=reclaims[line.item.style][0],
            reclaimable_import_vat=reclaims[line.item.style][1],
        )
        for line, line_goods, line_duty, line_vat in zip(returned, goods, duty, vat, strict=True)
    )
    return ShipmentRefund(shipment.warehouse, shipment.treatment, lines, before.total, after.total)


def _reclaimable(
    shipment: Shipment, returning: Mapping[str, int]
) -> dict[str, tuple[Money, Money]]:
    """Duty and import VAT paid on import for the returned units, per style.

    Import VAT was assessed once on the consignment; it is shared to the lines by their VAT
    base (goods + shipping share + duty), so returning everything reclaims exactly what was paid.
    A part of a line reclaims its share pro rata by quantity, rounded half-up.
    """
    charges = shipment.charges
    zero = Money.zero(charges.currency)
    if charges.treatment is not ShipmentTreatment.DDP_IMPORT:
        return {style: (zero, zero) for style in returning}
    vat_shares = apportion(charges.vat, [_vat_base(line) for line in charges.lines])
    out = {}
    for line, vat_share in zip(charges.lines, vat_shares, strict=True):
        if line.item.style in returning:
            part = Fraction(returning[line.item.style], line.item.quantity)
            out[line.item.style] = (_part(line.duty, part), _part(vat_share, part))
    return out


def _vat_base(line: PricedLine) -> Money:
    return line.goods + line.shipping_share + line.duty


def _part(amount: Money, part: Fraction) -> Money:
    # Multiply before dividing so a whole line (part == 1) is exact.
    return Money(amount.amount * part.numerator / part.denominator, amount.currency)
