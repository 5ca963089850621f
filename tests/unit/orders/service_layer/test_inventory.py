"""Waitlist, operator listing and stock changes, replacement units for warranty."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.orders.adapters.sql_stock_repository import SqlStockRepository
from services.orders.domain.catalogue import OfferKind
from services.orders.domain.errors import InsufficientStock, UnknownWarehouse
from tests.support.orders.records import published
from tests.support.orders.stack import START, UK_CUSTOMER, Stack


async def test_back_in_stock_tells_the_waitlist_once(stack: Stack) -> None:
    async with stack.db.transaction() as session:  # VT02 sells out at US-NJ
        await SqlStockRepository(session).reserve(
            owner_id="other", warehouse="US-NJ", style="VT02", quantity=12, now=START
        )
    await stack.cases.waitlist.join(UK_CUSTOMER, "VT02", "UK")
    await stack.cases.waitlist.join(UK_CUSTOMER, "VT02", "UK")  # joining twice is one entry
    await stack.cases.inventory.replenish("US-NJ", "VT02", 5)
    told = await published(stack, "orders.waitlist.available")
    assert len(told) == 1
    assert told[0]["customer_id"] == UK_CUSTOMER.id and told[0]["reason"] == "back_in_stock"
    assert (told[0]["price"], told[0]["currency"]) == ("309.48", "GBP")
    assert len(await published(stack, "orders.stock.replenished")) == 1
    await stack.cases.inventory.replenish("US-NJ", "VT02", 5)  # already in stock: nobody told again
    assert len(await published(stack, "orders.waitlist.available")) == 1


async def test_operator_lists_a_style_in_a_region(stack: Stack) -> None:
    assert (await stack.cases.catalogue.offer("TC11", "UK")).kind is OfferKind.CROSS_REGION
    await stack.cases.waitlist.join(UK_CUSTOMER, "TC11", "UK")
    await stack.cases.inventory.set_listing("TC11", "UK", Decimal("65.00"))
    offer = await stack.cases.catalogue.offer("TC11", "UK")
    assert offer.kind is OfferKind.LOCAL and str(offer.price) == "65.00 GBP"
    changed = await published(stack, "orders.listing.changed")
    assert changed == [
        {"style": "TC11", "region": "UK", "listed": True, "price": "65.00", "currency": "GBP"}
    ]
    told = await published(stack, "orders.waitlist.available")
    assert [(x["customer_id"], x["reason"]) for x in told] == [(UK_CUSTOMER.id, "listed")]
    await stack.cases.inventory.set_listing("TC11", "UK", None)  # delisted: cross-region again
    assert (await stack.cases.catalogue.offer("TC11", "UK")).kind is OfferKind.CROSS_REGION


async def test_replacement_units_for_warranty(stack: Stack) -> None:
    assert await stack.cases.replacements.available("UK", "VT01") == ("UK-LON", 10)
    first = await stack.cases.replacements.reserve("clm-1", "VT01", "UK")
    again = await stack.cases.replacements.reserve("clm-1", "VT01", "UK")
    assert first.reservation_id == again.reservation_id
    assert await stack.cases.replacements.available("UK", "VT01") == ("UK-LON", 9)
    assert await stack.cases.replacements.release("clm-1") is True
    assert await stack.cases.replacements.release("clm-1") is False
    assert await stack.cases.replacements.available("UK", "VT01") == ("UK-LON", 10)
    with pytest.raises(InsufficientStock):
        await stack.cases.replacements.reserve("clm-2", "VT02", "UK")  # UK-LON has none


async def test_unknown_warehouse_is_refused(stack: Stack) -> None:
    with pytest.raises(UnknownWarehouse):
        await stack.cases.inventory.replenish("XX-NOPE", "VT01", 1)
