"""Browsing the catalogue: what a customer in a region is offered, priced with today's rates.

The packaged reference data is overlaid with the operator's listing changes (stored) and the
current FX snapshot; offers also show the stock available now.
"""

from __future__ import annotations

from dataclasses import replace

from services.orders.domain import catalogue as cat
from services.orders.domain.money import Money
from services.orders.domain.ports import FxProvider
from services.orders.domain.reference import Listing, ReferenceData
from services.orders.service_layer.unit_of_work import UnitOfWork, Work


class Catalogue:
    def __init__(self, uow: UnitOfWork, ref: ReferenceData, fx: FxProvider) -> None:
        self.uow = uow
        self.ref = ref  # the packaged data, before operator changes
        self.fx = fx

    async def reference(self, work: Work) -> ReferenceData:
        """Packaged data + operator listing overrides + the current FX snapshot."""
        overridden = await work.listings.overrides()
        ref = self.ref.with_fx(self.fx.snapshot())
        if not overridden:
            return ref
        listings = [x for x in ref.listings if (x.style, x.region) not in overridden]
        for (style, region), price in overridden.items():
            if price is not None:
                currency = ref.region(region).currency
                listings.append(Listing(style, region, Money(price, currency)))
        return replace(ref, listings=tuple(listings))

    async def priced(self, work: Work) -> tuple[ReferenceData, cat.StockView]:
        """What an offer is computed from: today's reference data and the stock available."""
        return await self.reference(work), await work.stock.available()

    async def offer_in(self, work: Work, style: str, region: str) -> cat.Offer:
        """The offer as this transaction sees it (after a listing or stock change)."""
        ref, stock = await self.priced(work)
        return cat.offer_for(ref, style, region, stock)

    async def offers(self, region: str) -> list[cat.Offer]:
        async with self.uow.read() as work:
            ref, stock = await self.priced(work)
        return cat.catalogue_for(ref, region, stock)

    async def offer(self, style: str, region: str) -> cat.Offer:
        async with self.uow.read() as work:
            ref, stock = await self.priced(work)
        return cat.offer_for(ref, style, region, stock)

    def currency(self, region: str) -> str:
        return self.ref.region(region).currency
