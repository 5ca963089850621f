"""A refund's figures per line, as the refunded event carries them (docs/returns.md: total,
goods, shipping, duty, VAT, overall and per line): a line's total is what the customer paid
for it and gets back, its goods, shipping share, duty and VAT together, and the lines of a
return add up to the refund."""

from __future__ import annotations

from decimal import Decimal

from services.orders.domain.money import Money, money_sum
from services.orders.domain.order_returns import refund_figures
from services.orders.domain.refunds import RefundedLine, refund_for_return
from services.orders.domain.return_events import RefundLineFigures
from services.orders.domain.shipments import CartQuote


def gbp(amount: str) -> Money:
    return Money(Decimal(amount), "GBP")


def test_a_lines_total_is_its_goods_shipping_duty_and_vat() -> None:
    line = RefundLineFigures(
        style="VT02",
        quantity=1,
        goods=gbp("231.01"),
        shipping=gbp("15.36"),
        duty=gbp("7.39"),
        vat=gbp("50.75"),
        reclaimable_duty=gbp("7.39"),
        reclaimable_import_vat=gbp("50.75"),
    )
    assert line.total == gbp("304.51")


def test_the_lines_of_a_return_add_up_to_its_refund(worked_example: CartQuote) -> None:
    """Both lines of the worked example returned: every figure comes back."""
    figures = refund_figures(refund_for_return(worked_example, returning={"TC11": 1, "VT02": 1}))
    assert money_sum([x.total for x in figures.lines], "GBP") == figures.total


def test_a_refunded_lines_total_adds_its_shipping_share_too() -> None:
    """The same rule for a refund's line as the domain computes it: goods, shipping share, duty
    and VAT together (docs/returns.md's per-line figures). A change of mind refunds no outbound
    shipping, so the share is zero there; whenever a line carries one, it is paid back, never
    taken off."""
    line = RefundedLine(style="VT02", quantity=1, goods=gbp("231.01"), shipping=gbp("15.36"),
                        duty=gbp("7.39"), vat=gbp("50.75"), reclaimable_duty=gbp("7.39"),
                        reclaimable_import_vat=gbp("50.75"))  # fmt: skip
    assert line.total == gbp("304.51")
