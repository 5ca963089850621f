"""What a refused return tells the client, and the figures of a partial return of a line
(carts-and-returns.md "Returns": the duty and import VAT the brand can reclaim on the returned
goods, pro rata by quantity)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.orders.domain.money import Money
from services.orders.domain.refunds import refund_for_return
from services.orders.domain.returns import ReturnAlreadyReturned, ReturnLineNotInOrder
from services.orders.domain.shipments import CartQuote

QuoteOf = Callable[..., CartQuote]


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def test_a_style_not_in_the_order_is_named_in_the_refusal(worked_example: CartQuote) -> None:
    with pytest.raises(ReturnLineNotInOrder) as raised:
        refund_for_return(worked_example, returning={"CC01": 1})
    assert raised.value.details == {"style": "CC01"}


def test_units_already_returned_are_refused_with_what_is_left(quote_of: QuoteOf) -> None:
    """3 x TC11 bought, 2 returned earlier: asking for 2 more says 1 is returnable."""
    order = quote_of("UK", TC11=3)
    with pytest.raises(ReturnAlreadyReturned) as raised:
        refund_for_return(order, returning={"TC11": 2}, previously_returned={"TC11": 2})
    assert raised.value.details == {"style": "TC11", "requested": 2, "returnable": 1}
    assert "only 1 of TC11 can still be returned" in str(raised.value)


def test_a_fully_returned_line_has_nothing_returnable(worked_example: CartQuote) -> None:
    with pytest.raises(ReturnAlreadyReturned) as raised:
        refund_for_return(worked_example, returning={"VT02": 1}, previously_returned={"VT02": 1})
    assert raised.value.details == {"style": "VT02", "requested": 1, "returnable": 0}
    assert "only 0 of VT02 can still be returned" in str(raised.value)


def test_two_of_three_units_reclaim_two_thirds_of_the_lines_import_taxes(
    quote_of: QuoteOf,
) -> None:
    """3 x TC11 (DDP from US-NJ): the line paid duty 5.42 and import VAT 41.24; returning two
    reclaims 2/3 of each, rounded half-up: 3.61 and 27.49."""
    order = quote_of("UK", TC11=3)
    (shipment,) = order.shipments
    assert (shipment.charges.duty, shipment.charges.vat) == (gbp("5.42"), gbp("41.24"))
    refund = refund_for_return(order, returning={"TC11": 2})
    (line,) = refund.shipments[0].lines
    assert (line.style, line.quantity, line.goods) == ("TC11", 2, gbp("120.94"))
    assert (line.reclaimable_duty, line.reclaimable_import_vat) == (gbp("3.61"), gbp("27.49"))


def test_each_shipment_refund_names_its_warehouse(quote_of: QuoteOf) -> None:
    """A UK-listed JR01 leaves UK-LON, a US-only VT02 leaves US-NJ: returning both refunds
    per shipment, each naming where it left from."""
    quote = quote_of("UK", JR01=1, VT02=1)
    refund = refund_for_return(quote, returning={"JR01": 1, "VT02": 1})
    assert sorted(s.warehouse for s in refund.shipments) == ["UK-LON", "US-NJ"]
