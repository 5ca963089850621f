"""Quoting: a landed-cost price for a customer, locked for the quote's lifetime."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from services.orders.domain.errors import QuoteNotFound
from services.orders.domain.quotes import QUOTE_TTL, Quote, create_quote
from services.orders.service_layer.catalogue import Catalogue
from services.orders.service_layer.customers import new_id, require_customer
from services.orders.service_layer.unit_of_work import DuplicateEntry, UnitOfWork
from shared.actor import Actor
from shared.clock import Clock


class Quotes:
    def __init__(
        self, uow: UnitOfWork, catalogue: Catalogue, clock: Clock, ttl: timedelta = QUOTE_TTL
    ) -> None:
        self.uow = uow
        self.catalogue = catalogue
        self.clock = clock
        self.ttl = ttl

    async def quote(
        self, actor: Actor, style: str, region: str, quantity: int, request_id: str | None = None
    ) -> Quote:
        customer = require_customer(actor)
        quote_id = new_id("q")
        if request_id:
            # A retry of a request whose quote exists (the gateway died before storing the
            # response): the quote id is derived from the request id, so the retry finds it.
            quote_id = "q_" + hashlib.sha256(f"{customer}\0{request_id}".encode()).hexdigest()[:32]
            existing = await self._existing(quote_id, customer)
            if existing is not None:
                return existing
        # Price outside the write transaction (SQLite has one writer): only the insert is in it.
        async with self.uow.read() as rx:
            ref, stock = await self.catalogue.priced(rx)
        q = create_quote(
            ref,
            quote_id=quote_id,
            style=style,
            region=region,
            quantity=quantity,
            now=self.clock.now(),
            stock=stock,
            customer_id=customer,
            agent_id=actor.agent_id,
            ttl=self.ttl,
        )
        return await self._store(q, customer)

    async def _store(self, q: Quote, customer: str) -> Quote:
        try:
            async with self.uow() as work:
                await work.quotes.add(q)
                work.publish(q.created_event())
        except DuplicateEntry:
            # A duplicate of this request (same request id) inserted the quote first: a replay.
            existing = await self._existing(q.quote_id, customer)
            if existing is None:
                raise
            return existing
        return q

    async def _existing(self, quote_id: str, customer: str) -> Quote | None:
        async with self.uow.read() as rx:
            try:
                found = await rx.quotes.get(quote_id)
            except QuoteNotFound:
                return None
        return found if found.customer_id == customer else None

    async def get_quote(self, actor: Actor, quote_id: str) -> Quote:
        async with self.uow.read() as rx:
            q = await rx.quotes.get(quote_id)
        if q.customer_id is not None and not actor.may_see(q.customer_id):
            raise QuoteNotFound("no such quote", details={"quote_id": quote_id})
        return q
