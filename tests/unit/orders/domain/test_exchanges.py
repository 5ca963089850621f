from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from services.orders.domain.exchanges import (
    DifferenceDirection,
    Exchange,
    ExchangeFallback,
    ExchangeParcelNotOverdue,
    price_difference,
    settle_unreturned,
    start_exchange,
)
from services.orders.domain.money import CurrencyMismatch, Money
from services.orders.domain.refunds import refund_for_return
from services.orders.domain.returns import ReturnPolicy
from services.orders.domain.shipments import CartQuote

QuoteOf = Callable[..., CartQuote]
ExchangeOf = Callable[[ExchangeFallback], Exchange]


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def test_a_cheaper_local_item_refunds_the_difference_when_the_parcel_arrives(
    worked_example: CartQuote, quote_of: QuoteOf, return_policy: ReturnPolicy, now: datetime
) -> None:
    """VT02 back (credit 288.17) for a UK-listed VT01 (259.00): 29.17 is refunded, not before."""
    credit = refund_for_return(worked_example, returning={"VT02": 1})
    replacement = quote_of("UK", VT01=1)
    exchange = start_exchange(
        return_policy,
        return_id="r-1",
        credit=credit,
        replacement=replacement,
        fallback=ExchangeFallback.CANCEL,
        now=now,
    )
    assert exchange.difference.direction is DifferenceDirection.REFUND
    assert exchange.refund_when_parcel_arrives == gbp("29.17")
    assert exchange.charged_at_start == gbp("0")
    assert not exchange.replacement_from_another_region


def test_an_item_from_another_region_is_priced_with_its_landed_cost(
    quote_of: QuoteOf, return_policy: ReturnPolicy, now: datetime
) -> None:
    """A local VT01 (259.00) for a US-only VT02 landed in the UK (309.48): 50.48 charged now."""
    credit = refund_for_return(quote_of("UK", VT01=1), returning={"VT01": 1})
    replacement = quote_of("UK", VT02=1)
    exchange = start_exchange(
        return_policy,
        return_id="r-2",
        credit=credit,
        replacement=replacement,
        fallback=ExchangeFallback.CHARGE_IN_FULL,
        now=now,
    )
    assert credit.total == gbp("259.00")
    assert replacement.total == gbp("309.48")  # goods 231.01 + shipping 19.38 + duty + VAT
    assert exchange.replacement_from_another_region
    assert exchange.difference.direction is DifferenceDirection.CHARGE
    assert exchange.charged_at_start == gbp("50.48")
    assert exchange.parcel_deadline == now + timedelta(days=30)


def test_same_price_means_no_money_moves(quote_of: QuoteOf) -> None:
    """Swapping for an item that costs exactly the credit charges and refunds nothing."""
    credit = refund_for_return(quote_of("UK", CC01=1), returning={"CC01": 1})
    difference = price_difference(credit, quote_of("UK", CC01=1))
    assert difference.direction is DifferenceDirection.NONE
    assert difference.amount == gbp("0")


def test_an_exchange_is_priced_in_one_currency(quote_of: QuoteOf) -> None:
    """A credit in GBP cannot pay for a replacement quoted in USD."""
    credit = refund_for_return(quote_of("UK", CC01=1), returning={"CC01": 1})
    with pytest.raises(CurrencyMismatch):
        price_difference(credit, quote_of("US", CC01=1))


@pytest.fixture
def dearer_exchange(quote_of: QuoteOf, return_policy: ReturnPolicy, now: datetime) -> ExchangeOf:
    """Exchange factory: a local VT01 for a landed VT02, with the fallback chosen."""
    credit = refund_for_return(quote_of("UK", VT01=1), returning={"VT01": 1})
    replacement = quote_of("UK", VT02=1)

    def build(fallback: ExchangeFallback) -> Exchange:
        return start_exchange(
            return_policy,
            return_id="r-3",
            credit=credit,
            replacement=replacement,
            fallback=fallback,
            now=now,
        )

    return build


def test_until_the_deadline_the_parcel_can_still_arrive(
    dearer_exchange: ExchangeOf, now: datetime
) -> None:
    """Nothing is settled while the parcel is still due, the 30th day included."""
    exchange = dearer_exchange(ExchangeFallback.CHARGE_IN_FULL)
    with pytest.raises(ExchangeParcelNotOverdue) as err:
        settle_unreturned(exchange, now + timedelta(days=30))
    assert err.value.code == "exchange_parcel_not_overdue"


def test_no_parcel_and_charge_in_full_charges_the_rest_of_the_new_item(
    dearer_exchange: ExchangeOf, now: datetime
) -> None:
    """The credit is never earned: 309.48 in all, of which 50.48 was charged at the start."""
    outcome = settle_unreturned(
        dearer_exchange(ExchangeFallback.CHARGE_IN_FULL), now + timedelta(days=31)
    )
    assert outcome.charge == gbp("259.00")
    assert outcome.refund == gbp("0")
    assert not outcome.cancel_replacement


def test_no_parcel_and_cancel_gives_back_what_was_charged(
    dearer_exchange: ExchangeOf, now: datetime
) -> None:
    """Cancelled: the new order is cancelled, its stock released, the 50.48 refunded."""
    outcome = settle_unreturned(dearer_exchange(ExchangeFallback.CANCEL), now + timedelta(days=31))
    assert outcome.charge == gbp("0")
    assert outcome.refund == gbp("50.48")
    assert outcome.cancel_replacement


def test_charge_in_full_after_a_cheaper_swap_charges_the_whole_new_item(
    worked_example: CartQuote, quote_of: QuoteOf, return_policy: ReturnPolicy, now: datetime
) -> None:
    """Owed 29.17 that was never refunded: with no parcel, the VT01 is charged at 259.00."""
    exchange = start_exchange(
        return_policy,
        return_id="r-4",
        credit=refund_for_return(worked_example, returning={"VT02": 1}),
        replacement=quote_of("UK", VT01=1),
        fallback=ExchangeFallback.CHARGE_IN_FULL,
        now=now,
    )
    outcome = settle_unreturned(exchange, exchange.parcel_deadline + timedelta(seconds=1))
    assert (outcome.charge, outcome.refund) == (gbp("259.00"), gbp("0"))


@dataclass(frozen=True)
class Priced:
    """What the price difference reads of a credit and of a replacement quote."""

    total: Money

    @property
    def currency(self) -> str:
        return self.total.currency


@pytest.mark.parametrize(
    ("credit", "replacement", "direction", "amount"),
    [
        ("59.00", "59.01", DifferenceDirection.CHARGE, "0.01"),
        ("59.01", "59.00", DifferenceDirection.REFUND, "0.01"),
        ("59.00", "60.00", DifferenceDirection.CHARGE, "1.00"),
    ],
)
def test_a_penny_of_difference_moves_a_penny(credit, replacement, direction, amount) -> None:
    """The difference is charged or refunded to the penny, however small."""
    difference = price_difference(Priced(gbp(credit)), Priced(gbp(replacement)))  # type: ignore[arg-type]
    assert (difference.direction, difference.amount) == (direction, gbp(amount))


def test_a_currency_mismatch_names_both_currencies(quote_of: QuoteOf) -> None:
    credit = refund_for_return(quote_of("UK", CC01=1), returning={"CC01": 1})
    with pytest.raises(CurrencyMismatch) as err:
        price_difference(credit, quote_of("US", CC01=1))
    assert "GBP" in str(err.value) and "USD" in str(err.value)


def test_an_exchange_records_what_it_swaps_and_when_the_parcel_is_due(
    dearer_exchange: ExchangeOf, now: datetime
) -> None:
    exchange = dearer_exchange(ExchangeFallback.CANCEL)
    assert (exchange.return_id, exchange.replacement_quote_id) == ("r-3", "q-cart")
    assert exchange.fallback is ExchangeFallback.CANCEL
    assert exchange.started_at == now
    assert exchange.parcel_deadline == now + timedelta(days=30)


def test_settling_early_names_the_return_and_its_deadline(
    dearer_exchange: ExchangeOf, now: datetime
) -> None:
    exchange = dearer_exchange(ExchangeFallback.CANCEL)
    with pytest.raises(ExchangeParcelNotOverdue) as err:
        settle_unreturned(exchange, now)
    assert err.value.details == {
        "return_id": "r-3",
        "deadline": (now + timedelta(days=30)).isoformat(),
    }
    assert "still arrive" in str(err.value)


@pytest.mark.parametrize(
    ("fallback", "cancels"),
    [(ExchangeFallback.CHARGE_IN_FULL, False), (ExchangeFallback.CANCEL, True)],
)
def test_the_outcome_applies_the_customers_choice(
    dearer_exchange: ExchangeOf, now: datetime, fallback: ExchangeFallback, cancels: bool
) -> None:
    outcome = settle_unreturned(dearer_exchange(fallback), now + timedelta(days=31))
    assert outcome.action is fallback
    assert outcome.cancel_replacement is cancels
