from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.orders.domain.carts import Cart, CartLine
from services.orders.domain.money import Money, money_sum
from services.orders.domain.reference import ReferenceData
from services.orders.domain.refunds import refund_for_return
from services.orders.domain.returns import ReturnAlreadyReturned, ReturnLineNotInOrder
from services.orders.domain.shipment_charges import ShipmentTreatment
from services.orders.domain.shipments import CartQuote, quote_cart

QuoteOf = Callable[..., CartQuote]


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def test_returning_the_vt02_of_the_worked_example(worked_example: CartQuote) -> None:
    """Paid 383.99; TC11 kept alone would cost 95.82 (low-value VAT): refund 288.17."""
    refund = refund_for_return(worked_example, returning={"VT02": 1})
    assert refund.total == gbp("288.17")
    (line,) = refund.shipments[0].lines
    assert (line.style, line.quantity) == ("VT02", 1)
    assert line.goods == gbp("231.01")
    assert line.shipping == gbp("0")  # outbound shipping is never refunded for a change of mind
    # All the duty goes: the kept TC11 alone falls under £135 and pays no duty.
    assert line.duty == gbp("9.13")
    assert line.vat == gbp("48.03")  # 64.00 paid - 15.97 seller VAT on the kept TC11
    assert refund.shipments[0].cost_before == gbp("383.99")
    assert refund.shipments[0].cost_after == gbp("95.82")


def test_the_brand_reclaims_duty_and_import_vat_on_the_returned_vt02(
    worked_example: CartQuote,
) -> None:
    """For finance: the VT02's duty 7.39 and its share of the import VAT, 20% x 253.76 = 50.75."""
    refund = refund_for_return(worked_example, returning={"VT02": 1})
    assert refund.reclaimable_duty == gbp("7.39")
    assert refund.reclaimable_import_vat == gbp("50.75")


def test_the_refund_event_figures_are_codes_and_amounts(worked_example: CartQuote) -> None:
    """The figures for orders.return.refunded: currency, amounts as strings, styles per line."""
    figures = refund_for_return(worked_example, returning={"VT02": 1}).figures()
    assert figures == {
        "currency": "GBP",
        "total": "288.17",
        "goods": "231.01",
        "shipping": "0.00",
        "duty": "9.13",
        "vat": "48.03",
        "reclaimable_duty": "7.39",
        "reclaimable_import_vat": "50.75",
        "lines": [
            {
                "style": "VT02",
                "quantity": 1,
                "total": "288.17",
                "goods": "231.01",
                "shipping": "0.00",
                "duty": "9.13",
                "vat": "48.03",
                "reclaimable_duty": "7.39",
                "reclaimable_import_vat": "50.75",
            }
        ],
    }


def test_returning_the_tc11_keeps_the_vt02_over_the_threshold(worked_example: CartQuote) -> None:
    """VT02 kept alone costs 309.48 (still DDP): refund 74.51 = 60.47 + 1.62 duty + 12.42 VAT."""
    refund = refund_for_return(worked_example, returning={"TC11": 1})
    (line,) = refund.shipments[0].lines
    assert (line.goods, line.duty, line.vat) == (gbp("60.47"), gbp("1.62"), gbp("12.42"))
    assert refund.total == gbp("74.51")
    assert (refund.reclaimable_duty, refund.reclaimable_import_vat) == (gbp("1.74"), gbp("13.25"))


def test_part_of_a_line_is_refunded_and_reclaimed_pro_rata(quote_of: QuoteOf) -> None:
    """3 x TC11 (181.41, DDP, 247.45 paid); 2 kept fall under £135 (168.38): refund 79.07.
    The brand reclaims a third of the line's duty 5.42 and import VAT 41.24."""
    order = quote_of("UK", TC11=3)
    assert order.total == gbp("247.45")
    refund = refund_for_return(order, returning={"TC11": 1})
    (line,) = refund.shipments[0].lines
    assert (line.goods, line.duty, line.vat) == (gbp("60.47"), gbp("5.42"), gbp("13.18"))
    assert refund.total == gbp("79.07")
    assert (line.reclaimable_duty, line.reclaimable_import_vat) == (gbp("1.81"), gbp("13.75"))


def test_keeping_nothing_still_costs_shipping_and_its_vat(worked_example: CartQuote) -> None:
    """Return both: the customer keeps paying 19.38 shipping + 3.88 VAT on it: refund 360.73."""
    refund = refund_for_return(worked_example, returning={"TC11": 1, "VT02": 1})
    assert refund.total == gbp("360.73")
    assert refund.shipping == gbp("0")


def test_two_returns_add_up_to_one(worked_example: CartQuote) -> None:
    """VT02 now and TC11 later refund exactly what returning both at once does."""
    first = refund_for_return(worked_example, returning={"VT02": 1})
    second = refund_for_return(
        worked_example, returning={"TC11": 1}, previously_returned={"VT02": 1}
    )
    assert second.total == gbp("72.56")  # 95.82 - 23.26
    assert first.total + second.total == gbp("360.73")


def test_a_local_return_refunds_the_tax_inclusive_price(quote_of: QuoteOf) -> None:
    """A UK-listed item from UK-LON refunds its price; nothing to reclaim from customs."""
    quote = quote_of("UK", JR01=2, VT02=1)
    refund = refund_for_return(quote, returning={"JR01": 1})
    assert refund.total == gbp("159.00")
    assert refund.shipments[0].treatment is ShipmentTreatment.LOCAL
    assert (refund.reclaimable_duty, refund.reclaimable_import_vat) == (gbp("0"), gbp("0"))


def test_returning_what_was_not_bought_or_already_returned_is_refused(
    worked_example: CartQuote,
) -> None:
    """The refund rule refuses a style not in the order and units already returned."""
    with pytest.raises(ReturnLineNotInOrder):
        refund_for_return(worked_example, returning={"CC01": 1})
    with pytest.raises(ReturnAlreadyReturned):
        refund_for_return(worked_example, returning={"VT02": 1}, previously_returned={"VT02": 1})


# The styles each region can buy (PC15 is sold in the UK only; PY01 cannot ship to UK or EU).
STYLES_FOR = {
    "UK": ["TC11", "VT02", "VT01", "JR01", "CC01", "PC15", "DJ27"],
    "EU": ["TC11", "VT02", "VT01", "JR01", "CC01", "DJ27"],
    "US": ["TC11", "VT02", "VT01", "JR01", "CC01", "DJ27", "PY01"],
}
Case = tuple[str, dict[str, int], dict[str, int]]
NOW = datetime(2026, 11, 23, tzinfo=UTC)


@st.composite
def order_and_return(draw: st.DrawFn) -> Case:
    """A region, a cart bought there, and a non-empty part of it sent back."""
    region = draw(st.sampled_from(sorted(STYLES_FOR)))
    styles = st.sampled_from(STYLES_FOR[region])
    bought = draw(st.dictionaries(styles, st.integers(1, 6), min_size=1, max_size=4))
    returned = {
        style: n for style, q in bought.items() if (n := draw(st.integers(0, q), label=style)) > 0
    }
    if not returned:
        first = next(iter(bought))
        returned = {first: bought[first]}
    return region, bought, returned


def quote(ref: ReferenceData, region: str, bought: dict[str, int]) -> CartQuote:
    cart = Cart(region, tuple(CartLine(s, q) for s, q in bought.items()))
    return quote_cart(ref, cart, quote_id="q", now=NOW)


@settings(max_examples=80, deadline=None)
@given(case=order_and_return())
def test_a_refund_is_never_negative_nor_more_than_paid(ref: ReferenceData, case: Case) -> None:
    """Any return: 0 <= refund <= paid, and the per-line figures add up to the refund."""
    region, bought, returned = case
    order = quote(ref, region, bought)
    refund = refund_for_return(order, returning=returned)
    assert Money.zero(order.currency).amount <= refund.total.amount <= order.total.amount
    lines = [line for s in refund.shipments for line in s.lines]
    assert money_sum([line.total for line in lines], order.currency) == refund.total
    assert refund.goods + refund.shipping + refund.duty + refund.vat == refund.total


@settings(max_examples=60, deadline=None)
@given(case=order_and_return())
def test_returning_everything_leaves_only_shipping_and_its_vat(
    ref: ReferenceData, case: Case
) -> None:
    """Return all lines: the refund is the paid total minus, per shipment, its shipping charge
    and the seller VAT on it (none for a local, tax-inclusive shipment); the brand reclaims
    exactly the duty and import VAT it paid."""
    region, bought, _ = case
    order = quote(ref, region, bought)
    refund = refund_for_return(order, returning=bought)
    still_paid = []
    for s in order.shipments:
        local = s.treatment is ShipmentTreatment.LOCAL
        vat = Money.zero(order.currency) if local else s.charges.shipping.times(s.terms.vat_rate)
        still_paid.append(s.charges.shipping + vat)
    assert refund.total == order.total - money_sum(still_paid, order.currency)
    ddp = [s for s in order.shipments if s.treatment is ShipmentTreatment.DDP_IMPORT]
    assert refund.reclaimable_duty == money_sum([s.charges.duty for s in ddp], order.currency)
    assert refund.reclaimable_import_vat == money_sum([s.charges.vat for s in ddp], order.currency)


@settings(max_examples=60, deadline=None)
@given(case=order_and_return())
def test_a_return_in_two_parts_refunds_the_same_as_in_one(ref: ReferenceData, case: Case) -> None:
    """Returning some units now and the rest later refunds what one return of both would."""
    region, bought, first = case
    order = quote(ref, region, bought)
    rest = {s: q - first.get(s, 0) for s, q in bought.items() if q - first.get(s, 0) > 0}
    whole = refund_for_return(order, returning=bought)
    part_one = refund_for_return(order, returning=first)
    if not rest:
        assert part_one.total == whole.total
        return
    part_two = refund_for_return(order, returning=rest, previously_returned=first)
    assert part_one.total + part_two.total == whole.total
