"""Property tests for landed-cost quotes, the money arithmetic customers see added up.

tests/unit/orders/test_money.py already covers `Money` (minor units, exact addition and
multiplication of rounded amounts, conversion within half a penny, monotonic conversion) and
tests/unit/warranty/domain/test_labels_properties.py the label decoder. What was missing is the quote
as a whole, for every style and region on offer, any quantity and any FX snapshot:
- the total is exactly the sum of the lines that add to it (the customer can re-add them);
- every line is in the region's currency, at minor units, and not negative;
- goods = shown unit price x quantity; every rated line = its shown base x rate, rounded half-up;
- the tax treatment matches the lines (included VAT is shown, never added; duty only above the
  low-value threshold; import VAT on goods + shipping + duty);
- a larger quantity never costs less;
- the `orders.quote.created` event carries the same total, and its contract accepts it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st

from services.orders.adapters.reference_data import load_reference_data
from services.orders.adapters.wire import payload
from services.orders.domain.errors import NotAvailable
from services.orders.domain.landed_cost import LineKind, TaxTreatment
from services.orders.domain.money import FxSnapshot, Money, round_half_up
from services.orders.domain.quotes import Quote, create_quote
from shared.contracts.orders import QuoteCreated
from shared.errors import DomainError
from tests.fuzz.conftest import FUZZ_EXAMPLES, FUZZ_SEED

REF = load_reference_data()
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
PROPERTIES = settings(
    max_examples=max(50, 10 * FUZZ_EXAMPLES),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much],
)

fx_rates = st.decimals(min_value=Decimal("0.2"), max_value=Decimal("3"), places=4)
snapshots = st.builds(
    lambda gbp, eur, margin: FxSnapshot(
        date(2026, 11, 20), "USD", {"USD": Decimal(1), "GBP": gbp, "EUR": eur}, margin
    ),
    fx_rates,
    fx_rates,
    st.decimals(min_value=Decimal(0), max_value=Decimal("0.05"), places=3),
)
styles = st.sampled_from(sorted(REF.styles))
regions = st.sampled_from(sorted(REF.regions))
quantities = st.integers(min_value=1, max_value=25)


def _quote(style: str, region: str, quantity: int, fx: FxSnapshot | None = None) -> Quote:
    ref = REF.with_fx(fx) if fx is not None else REF
    try:
        return create_quote(
            ref, quote_id="q-fuzz", style=style, region=region, quantity=quantity, now=NOW
        )
    except NotAvailable:
        assume(False)
        raise


@PROPERTIES
@seed(FUZZ_SEED)
@given(styles, regions, quantities, snapshots)
def test_total_is_the_sum_of_the_lines_shown(
    style: str, region: str, quantity: int, fx: FxSnapshot
) -> None:
    q = _quote(style, region, quantity, fx)
    currency = REF.region(region).currency
    assert q.currency == currency
    added = Money.zero(currency)
    for line in q.lines:
        assert line.amount.currency == currency
        assert line.amount.amount == line.amount.amount.quantize(Decimal("0.01"))
        assert line.amount.amount >= 0
        if line.adds_to_total:
            added = added + line.amount
    assert q.total == added


@PROPERTIES
@seed(FUZZ_SEED)
@given(styles, regions, quantities, snapshots)
def test_each_line_follows_from_what_it_shows(
    style: str, region: str, quantity: int, fx: FxSnapshot
) -> None:
    q = _quote(style, region, quantity, fx)
    goods = q.landed.line(LineKind.GOODS)
    assert goods is not None and goods.unit_price is not None
    assert goods.quantity == quantity
    assert goods.amount.amount == goods.unit_price.amount * quantity
    for line in q.lines:
        if line.rate is not None:
            assert line.base is not None
            assert line.amount.amount == round_half_up(
                line.base.amount * line.rate, q.currency
            ) or (
                # VAT inside a tax-inclusive price: base x vat / (1 + vat)
                line.kind is LineKind.VAT_INCLUDED
                and line.amount.amount
                == round_half_up(line.base.amount * (line.rate / (1 + line.rate)), q.currency)
            )


@PROPERTIES
@seed(FUZZ_SEED)
@given(styles, regions, quantities, snapshots)
def test_tax_treatment_matches_the_lines(
    style: str, region: str, quantity: int, fx: FxSnapshot
) -> None:
    q = _quote(style, region, quantity, fx)
    kinds = [line.kind for line in q.lines]
    shipping = q.landed.line(LineKind.SHIPPING)
    assert kinds[:2] == [LineKind.GOODS, LineKind.SHIPPING] and shipping is not None
    treatment = q.landed.tax_treatment
    rule = REF.tax.get(region)
    if treatment is TaxTreatment.NONE:
        assert kinds == [LineKind.GOODS, LineKind.SHIPPING]
    elif treatment is TaxTreatment.PRICES_INCLUDE_VAT:
        assert q.source_region == region
        assert kinds == [LineKind.GOODS, LineKind.SHIPPING, LineKind.VAT_INCLUDED]
        assert q.total == q.landed.goods + shipping.amount
    elif treatment is TaxTreatment.LOW_VALUE_VAT:
        assert rule is not None and q.landed.goods.amount <= rule.low_value_threshold
        assert kinds == [LineKind.GOODS, LineKind.SHIPPING, LineKind.VAT]
    else:
        assert rule is not None and q.landed.goods.amount > rule.low_value_threshold
        assert kinds == [LineKind.GOODS, LineKind.SHIPPING, LineKind.DUTY, LineKind.VAT]
        duty, vat = q.lines[2], q.lines[3]
        assert duty.base == q.landed.goods + shipping.amount
        assert vat.base == q.landed.goods + shipping.amount + duty.amount


@PROPERTIES
@seed(FUZZ_SEED)
@given(styles, regions, quantities, snapshots)
def test_more_units_never_cost_less(style: str, region: str, quantity: int, fx: FxSnapshot) -> None:
    try:
        smaller = _quote(style, region, quantity, fx)
        larger = _quote(style, region, quantity + 1, fx)
    except DomainError:  # e.g. a tariff the reference data does not hold
        assume(False)
        raise
    assert larger.total.amount >= smaller.total.amount


@PROPERTIES
@seed(FUZZ_SEED)
@given(styles, regions, quantities)
def test_quote_created_event_carries_the_same_total(style: str, region: str, quantity: int) -> None:
    q = _quote(style, region, quantity)
    event = q.created_event()
    data = QuoteCreated.model_validate(payload(event))
    assert Decimal(str(data.total)) == q.total.amount
    assert data.currency == q.currency and data.quantity == quantity
