"""Every field of a cart quote, its shipments and its `orders.cart_quote.created` event
(carts-and-returns.md: a cart becomes one shipment per warehouse, each priced and declared on its
own; the quote total is the sum of its shipments; a quote is valid for 30 minutes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from services.orders.domain.carts import CartLine, CartPolicy, build_cart
from services.orders.domain.errors import QuoteExpired
from services.orders.domain.money import Money
from services.orders.domain.reference import Listing, ReferenceData
from services.orders.domain.shipment_charges import ShipmentTreatment
from services.orders.domain.shipments import CartQuote, quote_cart


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


@pytest.fixture
def mixed(ref: ReferenceData, cart_policy: CartPolicy, now: datetime) -> CartQuote:
    """JR01 (listed in the UK: UK-LON, local) and VT02 (US only: US-NJ, DDP) for a UK customer,
    quoted by an agent for customer c-1."""
    cart = build_cart(
        ref, cart_policy, region="UK", lines=[CartLine("JR01", 1), CartLine("VT02", 1)]
    )
    return quote_cart(
        ref, cart, quote_id="q-mix", now=now, customer_id="c-1", agent_id="agent-3",
        ttl=timedelta(minutes=10),
    )  # fmt: skip


def test_the_quote_names_its_customer_region_and_validity(mixed: CartQuote, now: datetime) -> None:
    assert (mixed.quote_id, mixed.region, mixed.currency) == ("q-mix", "UK", "GBP")
    assert (mixed.customer_id, mixed.agent_id) == ("c-1", "agent-3")
    assert (mixed.created_at, mixed.expires_at) == (now, now + timedelta(minutes=10))
    (rate,) = mixed.fx_rates  # USD -> GBP only: the GBP lines need no conversion
    assert (rate.source, rate.target, rate.rate) == ("USD", "GBP", Decimal("0.7752"))
    assert mixed.fx == rate


def test_each_shipment_leaves_one_warehouse_with_its_own_terms(mixed: CartQuote) -> None:
    local, imported = mixed.shipments  # in the cart's order
    assert (local.warehouse, local.source_region, local.destination) == ("UK-LON", "UK", "UK")
    assert (local.delivery_days, local.is_cross_border, local.styles) == ((1, 3), False, ("JR01",))
    assert local.treatment is ShipmentTreatment.LOCAL
    assert local.prices_include_vat is True
    assert local.customs == ()
    assert local.total == gbp("159.00")
    assert local.charges.vat_included == gbp("26.50")  # 159 / 6
    assert (imported.warehouse, imported.source_region) == ("US-NJ", "US")
    assert (imported.delivery_days, imported.is_cross_border) == ((5, 8), True)
    assert imported.treatment is ShipmentTreatment.DDP_IMPORT
    assert imported.terms.vat_rate == Decimal("0.20")
    assert imported.terms.duty_rates == {"4202.21": Decimal("0.03")}
    # goods 231.01, shipping 19.38, duty 3% x 250.39 = 7.51, VAT 20% x 257.90 = 51.58
    assert imported.total == gbp("309.48")
    (customs,) = imported.customs
    assert (customs.hs_code, customs.origin_country, customs.quantity) == ("4202.21", "US", 1)
    assert customs.description == "handbag: Voyager travel tote, luggage brown"
    assert customs.declared_value == gbp("231.01")
    assert mixed.total == gbp("468.48")


def test_the_created_event_sums_up_each_shipment(mixed: CartQuote, now: datetime) -> None:
    event = mixed.created_event()
    assert (event.quote_id, event.customer_id, event.agent_id) == ("q-mix", "c-1", "agent-3")
    assert (event.region, event.total) == ("UK", gbp("468.48"))
    assert (event.fx_rate, event.fx_as_of) == ("0.7752", date(2026, 11, 20))
    assert (event.expires_at, event.occurred_at) == (now + timedelta(minutes=10), now)
    local, imported = event.shipments
    assert (local.warehouse, local.source_region, local.treatment) == ("UK-LON", "UK", "local")
    assert local.lines == (("JR01", 1),)
    assert (local.goods, local.shipping, local.duty, local.vat, local.total) == (
        gbp("159.00"),
        gbp("0.00"),
        gbp("0.00"),
        gbp("0.00"),
        gbp("159.00"),
    )
    assert (imported.warehouse, imported.source_region) == ("US-NJ", "US")
    assert (imported.treatment, imported.lines) == ("ddp_import", (("VT02", 1),))
    assert (imported.goods, imported.shipping, imported.duty, imported.vat, imported.total) == (
        gbp("231.01"),
        gbp("19.38"),
        gbp("7.51"),
        gbp("51.58"),
        gbp("309.48"),
    )


def test_a_local_cart_has_no_rate(
    ref: ReferenceData, cart_policy: CartPolicy, now: datetime
) -> None:
    cart = build_cart(ref, cart_policy, region="UK", lines=[CartLine("JR01", 2)])
    quote = quote_cart(ref, cart, quote_id="q-local", now=now)
    assert (quote.fx_rates, quote.fx) == ((), None)
    assert (quote.customer_id, quote.agent_id) == (None, None)
    assert quote.expires_at == now + timedelta(minutes=30)
    event = quote.created_event()
    assert (event.fx_rate, event.fx_as_of) == (None, None)


def test_a_cart_quote_expires_at_its_expiry_instant(mixed: CartQuote, now: datetime) -> None:
    expiry = now + timedelta(minutes=10)
    mixed.ensure_valid(expiry - timedelta(microseconds=1))
    with pytest.raises(QuoteExpired) as raised:
        mixed.ensure_valid(expiry)
    assert raised.value.details == {"quote_id": "q-mix", "expired_at": expiry.isoformat()}


def test_a_line_is_sourced_from_stock_on_hand_in_the_live_view(
    ref: ReferenceData, cart_policy: CartPolicy, now: datetime
) -> None:
    """With VT02 also listed in the EU and carried by EU-AMS, a UK customer has two sources;
    stock on hand decides first (carts-and-returns.md: sourced as a single-style quote is).
    The live stock view, not the initial stock in the data, says what is on hand."""
    two_sources = replace(
        ref,
        listings=(*ref.listings, Listing("VT02", "EU", Money.of("200.00", "EUR"))),
        warehouses={
            **ref.warehouses,
            "EU-AMS": replace(
                ref.warehouses["EU-AMS"],
                initial_stock={**ref.warehouses["EU-AMS"].initial_stock, "VT02": 5},
            ),
        },
    )
    cart = build_cart(two_sources, cart_policy, region="UK", lines=[CartLine("VT02", 1)])
    initial = quote_cart(two_sources, cart, quote_id="q-1", now=now)
    assert [s.warehouse for s in initial.shipments] == ["EU-AMS"]  # on hand, and cheaper
    live = {("EU-AMS", "VT02"): 0, ("US-NJ", "VT02"): 3}
    sold_out = quote_cart(two_sources, cart, quote_id="q-2", now=now, stock=live)
    assert [s.warehouse for s in sold_out.shipments] == ["US-NJ"]


def test_a_route_priced_in_the_customers_currency_needs_no_conversion(
    ref: ReferenceData, cart_policy: CartPolicy, now: datetime
) -> None:
    """The US -> UK route priced at GBP 20.00: shipping is 20.00, goods still convert at the
    quote's USD rate, and the quote lists only the rate it used."""
    gbp_route = tuple(
        replace(r, price=gbp("20.00")) if (r.from_region, r.to_region) == ("US", "UK") else r
        for r in ref.shipping
    )
    priced = replace(ref, shipping=gbp_route)
    cart = build_cart(priced, cart_policy, region="UK", lines=[CartLine("VT02", 1)])
    quote = quote_cart(priced, cart, quote_id="q-3", now=now)
    (shipment,) = quote.shipments
    assert shipment.charges.shipping == gbp("20.00")
    assert shipment.charges.goods == gbp("231.01")
    assert [(r.source, r.target) for r in quote.fx_rates] == [("USD", "GBP")]
