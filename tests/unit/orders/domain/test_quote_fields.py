"""Every field of a quote and of its `orders.quote.created` event (cross-border.md, "Landed
cost" step 5: the quote shows each line, the total, the rate used and its expiry; the order keeps
the quote; the saga declares HS code, origin, declared value and currency, incoterm DDP)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from services.orders.domain.catalogue import OfferKind
from services.orders.domain.errors import QuoteExpired
from services.orders.domain.money import Money
from services.orders.domain.quotes import create_quote
from services.orders.domain.reference import Listing, ReferenceData


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def test_a_cross_region_quote_names_where_it_ships_from_and_when(
    ref: ReferenceData, now: datetime
) -> None:
    """VT02 is listed in the US only: a UK customer gets it from US-NJ in 5 to 8 days."""
    q = create_quote(
        ref,
        quote_id="q-7",
        style="VT02",
        region="UK",
        quantity=2,
        now=now,
        customer_id="c-1",
        agent_id="agent-3",
    )
    assert (q.quote_id, q.region, q.style, q.quantity) == ("q-7", "UK", "VT02", 2)
    assert q.offer_kind is OfferKind.CROSS_REGION
    assert (q.warehouse, q.source_region) == ("US-NJ", "US")
    assert q.delivery_days == (5, 8)
    assert (q.customer_id, q.agent_id) == ("c-1", "agent-3")
    assert q.style_name == "Voyager travel tote, luggage brown"
    assert (q.created_at, q.expires_at) == (now, now + timedelta(minutes=30))
    assert q.currency == "GBP"
    assert q.fx is not None and q.fx.rate == Decimal("0.7752")


def test_the_customs_declaration_is_the_goods_line_only(ref: ReferenceData, now: datetime) -> None:
    q = create_quote(ref, quote_id="q-7", style="VT02", region="UK", quantity=2, now=now)
    customs = q.customs
    assert (customs.hs_code, customs.origin_country, customs.quantity) == ("4202.21", "US", 2)
    assert customs.description == "handbag: Voyager travel tote, luggage brown"
    assert customs.declared_value == gbp("462.02")  # 2 x 231.01, no shipping nor tax
    assert customs.incoterm == "DDP"


def test_a_local_quote_has_no_rate(ref: ReferenceData, now: datetime) -> None:
    q = create_quote(ref, quote_id="q-8", style="JR01", region="UK", quantity=1, now=now)
    assert q.offer_kind is OfferKind.LOCAL
    assert (q.warehouse, q.source_region, q.delivery_days) == ("UK-LON", "UK", (1, 3))
    assert q.fx is None
    assert (q.customer_id, q.agent_id) == (None, None)
    event = q.created_event()
    assert (event.fx_rate, event.fx_as_of) == (None, None)
    assert event.offer_kind == "local"
    assert event.total == gbp("159.00")


def test_the_created_event_carries_the_quote_figures(ref: ReferenceData, now: datetime) -> None:
    q = create_quote(
        ref,
        quote_id="q-9",
        style="TC11",
        region="UK",
        quantity=1,
        now=now,
        customer_id="c-1",
        agent_id="agent-3",
    )
    event = q.created_event()
    assert (event.quote_id, event.customer_id, event.agent_id) == ("q-9", "c-1", "agent-3")
    assert (event.region, event.style, event.quantity) == ("UK", "TC11", 1)
    assert (event.offer_kind, event.warehouse) == ("cross_region", "US-NJ")
    assert event.total == gbp("95.82")
    assert (event.fx_rate, event.fx_as_of) == ("0.7752", date(2026, 11, 20))
    assert (event.expires_at, event.occurred_at) == (now + timedelta(minutes=30), now)


def test_a_quote_expires_at_its_expiry_instant_not_before(
    ref: ReferenceData, now: datetime
) -> None:
    q = create_quote(
        ref, quote_id="q-1", style="TC11", region="UK", quantity=1, now=now,
        ttl=timedelta(minutes=5),
    )  # fmt: skip
    expiry = now + timedelta(minutes=5)
    assert q.expires_at == expiry
    assert not q.is_expired(expiry - timedelta(microseconds=1))
    assert q.is_expired(expiry)
    with pytest.raises(QuoteExpired) as raised:
        q.ensure_valid(expiry)
    assert raised.value.details == {"quote_id": "q-1", "expired_at": expiry.isoformat()}


def test_the_live_stock_view_decides_the_source(ref: ReferenceData, now: datetime) -> None:
    """With VT02 also listed in the EU and carried by EU-AMS, a UK customer has two sources;
    stock on hand decides first, as the live view (not the data's initial stock) says it."""
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
    initial = create_quote(two_sources, quote_id="q-1", style="VT02", region="UK", quantity=1,
                           now=now)  # fmt: skip
    assert initial.warehouse == "EU-AMS"  # on hand, and cheaper
    live = {("EU-AMS", "VT02"): 0, ("US-NJ", "VT02"): 3}
    sold_out = create_quote(two_sources, quote_id="q-2", style="VT02", region="UK", quantity=1,
                            now=now, stock=live)  # fmt: skip
    assert (sold_out.warehouse, sold_out.source_region) == ("US-NJ", "US")
