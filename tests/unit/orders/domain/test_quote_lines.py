"""Every figure of every quote line: amount, unit price, quantity, rate, base, currency, text.

The expected lines are computed by hand from the reference data (cross-border.md): a line is
rounded half-up to the penny before it feeds the next one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from services.orders.domain.landed_cost import LineKind, QuoteLine, TaxTreatment
from services.orders.domain.money import Money
from services.orders.domain.quotes import create_quote
from services.orders.domain.reference import ReferenceData


def gbp(value: str) -> Money:
    return Money.of(value, "GBP")


def eur(value: str) -> Money:
    return Money.of(value, "EUR")


def usd(value: str) -> Money:
    return Money.of(value, "USD")


G, S, D, V, VI = (
    LineKind.GOODS,
    LineKind.SHIPPING,
    LineKind.DUTY,
    LineKind.VAT,
    LineKind.VAT_INCLUDED,
)
TC11, VT01, VT02 = (
    "Floral tablet sleeve 11-inch",
    "Voyager travel tote, black saffiano",
    ("Voyager travel tote, luggage brown"),
)

CASES = {
    # 78 USD x 0.7752 = 60.4656 -> 60.47; shipping 25 USD -> 19.38; goods 60.47 <= 135: VAT only,
    # 20% of (60.47 + 19.38 = 79.85) = 15.97.
    ("TC11", "UK", 1): (
        TaxTreatment.LOW_VALUE_VAT,
        gbp("95.82"),
        (
            QuoteLine(G, gbp("60.47"), f"{TC11} x 1", gbp("60.47"), 1),
            QuoteLine(S, gbp("19.38"), "Shipping US to UK"),
            QuoteLine(V, gbp("15.97"), "VAT 20%", rate=Decimal("0.20"), base=gbp("79.85")),
        ),
    ),
    # 298 USD -> 231.01 > 135: duty 3% of (231.01 + 19.38 = 250.39) = 7.51;
    # import VAT 20% of (250.39 + 7.51 = 257.90) = 51.58.
    ("VT02", "UK", 1): (
        TaxTreatment.DUTY_AND_IMPORT_VAT,
        gbp("309.48"),
        (
            QuoteLine(G, gbp("231.01"), f"{VT02} x 1", gbp("231.01"), 1),
            QuoteLine(S, gbp("19.38"), "Shipping US to UK"),
            QuoteLine(D, gbp("7.51"), "Import duty 3% (HS 4202.21)", rate=Decimal("0.03"),
                      base=gbp("250.39")),
            QuoteLine(V, gbp("51.58"), "Import VAT 20%", rate=Decimal("0.20"), base=gbp("257.90")),
        ),
    ),
    # Three sleeves: 3 x 60.47 = 181.41 > 135: duty 2.7% of 200.79 = 5.42; VAT 20% of 206.21.
    ("TC11", "UK", 3): (
        TaxTreatment.DUTY_AND_IMPORT_VAT,
        gbp("247.45"),
        (
            QuoteLine(G, gbp("181.41"), f"{TC11} x 3", gbp("60.47"), 3),
            QuoteLine(S, gbp("19.38"), "Shipping US to UK"),
            QuoteLine(D, gbp("5.42"), "Import duty 2.7% (HS 4202.32)", rate=Decimal("0.027"),
                      base=gbp("200.79")),
            QuoteLine(V, gbp("41.24"), "Import VAT 20%", rate=Decimal("0.20"), base=gbp("206.21")),
        ),
    ),
    # To the EU: 298 USD -> 262.93 EUR, shipping 24.70 EUR; duty 3% of 287.63 = 8.63;
    # VAT 21% of (287.63 + 8.63 = 296.26) = 62.21.
    ("VT02", "EU", 1): (
        TaxTreatment.DUTY_AND_IMPORT_VAT,
        eur("358.47"),
        (
            QuoteLine(G, eur("262.93"), f"{VT02} x 1", eur("262.93"), 1),
            QuoteLine(S, eur("24.70"), "Shipping US to EU"),
            QuoteLine(D, eur("8.63"), "Import duty 3% (HS 4202.21)", rate=Decimal("0.03"),
                      base=eur("287.63")),
            QuoteLine(V, eur("62.21"), "Import VAT 21%", rate=Decimal("0.21"), base=eur("296.26")),
        ),
    ),
    # Local UK listing: the price includes VAT, 259 x 0.2 / 1.2 = 43.17, shown, not added.
    ("VT01", "UK", 1): (
        TaxTreatment.PRICES_INCLUDE_VAT,
        gbp("259.00"),
        (
            QuoteLine(G, gbp("259.00"), f"{VT01} x 1", gbp("259.00"), 1),
            QuoteLine(S, gbp("0.00"), "Shipping UK to UK"),
            QuoteLine(VI, gbp("43.17"), "Includes VAT 20%", rate=Decimal("0.20"),
                      base=gbp("259.00")),
        ),
    ),
    # US: prices before tax, no tax line.
    ("TC11", "US", 2): (
        TaxTreatment.NONE,
        usd("156.00"),
        (
            QuoteLine(G, usd("156.00"), f"{TC11} x 2", usd("78.00"), 2),
            QuoteLine(S, usd("0.00"), "Shipping US to US"),
        ),
    ),
}  # fmt: skip


@pytest.mark.parametrize(("case", "expected"), list(CASES.items()), ids=str)
def test_every_figure_of_every_line(ref: ReferenceData, now: datetime, case, expected) -> None:
    style, region, quantity = case
    treatment, total, lines = expected
    q = create_quote(ref, quote_id="q-1", style=style, region=region, quantity=quantity, now=now)
    assert q.lines == lines
    for line, want in zip(q.lines, lines, strict=True):
        # Money compares amount and currency; Decimal("0.2") == Decimal("0.20") on purpose.
        assert (line.amount.currency, line.base and line.base.currency) == (
            want.amount.currency,
            want.base and want.base.currency,
        )
    assert q.total == total and q.landed.total == total
    assert q.landed.currency == total.currency
    assert q.landed.tax_treatment is treatment
    assert [x.adds_to_total for x in q.lines] == [x.kind is not VI for x in lines]
