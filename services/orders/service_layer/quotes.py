"""Quoting: a landed-cost price for a customer, locked for the quote's lifetime.

A quote is for one style (`quote`) or for a cart of several lines split into shipments
(`quote_cart`); both are stored and read back the same way, and a retry of the same request
finds the quote it created.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from typing import TypeVar

from services.orders.domain.carts import CartLine, CartPolicy, build_cart
from services.orders.domain.errors import QuoteNotFound
from services.orders.domain.quotes import QUOTE_TTL, Quote, create_quote
from services.orders.domain.shipments import CartQuote, quote_cart
from services.orders.service_layer.catalogue import Catalogue
from services.orders.service_layer.customers import new_id, require_customer
from services.orders.service_layer.unit_of_work import AnyQuote, DuplicateEntry, UnitOfWork
from shared.actor import Actor
from shared.clock import Clock
from shared.errors import Conflict

Q = TypeVar("Q", Quote, CartQuote)


class Quotes:
    def __init__(
        self,
        uow: UnitOfWork,
        catalogue: Catalogue,
        clock: Clock,
        ttl: timedelta = QUOTE_TTL,
        *,
        cart_policy: CartPolicy,
    ) -> None:
        self.uow = uow
        self.catalogue = catalogue
        self.clock = clock
        self.ttl = ttl
        self.cart_policy = cart_policy

    async def quote(
        self, actor: Actor, style: str, region: str, quantity: int, request_id: str | None = None
    ) -> Quote:
        customer = require_customer(actor)
        quote_id = _quote_id(customer, request_id)
        existing = await self._replayed(quote_id, customer, request_id)
        if existing is not None:
            return _same_kind(existing, Quote)
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
        return _same_kind(await self._store(q, customer), Quote)

    async def quote_cart(
        self, actor: Actor, region: str, lines: Iterable[CartLine], request_id: str | None = None
    ) -> CartQuote:
        """Quote a cart: every line checked first (nothing priced or stored for a bad cart),
        then each line sourced, lines grouped by warehouse, each shipment priced on its own."""
        customer = require_customer(actor)
        quote_id = _quote_id(customer, request_id)
        existing = await self._replayed(quote_id, customer, request_id)
        if existing is not None:
            return _same_kind(existing, CartQuote)
        async with self.uow.read() as rx:
            ref, stock = await self.catalogue.priced(rx)
        cart = build_cart(ref, self.cart_policy, region=region, lines=lines)
        q = quote_cart(
            ref,
            cart,
            quote_id=quote_id,
            now=self.clock.now(),
            stock=stock,
            ttl=self.ttl,
            customer_id=customer,
            agent_id=actor.agent_id,
        )
        return _same_kind(await self._store(q, customer), CartQuote)

    async def _replayed(
        self, quote_id: str, customer: str, request_id: str | None
    ) -> AnyQuote | None:
        """A retry of a request whose quote exists (the gateway died before storing the
        response): the quote id is derived from the request id, so the retry finds it."""
        return await self._existing(quote_id, customer) if request_id else None

    async def _store(self, q: AnyQuote, customer: str) -> AnyQuote:
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

    async def _existing(self, quote_id: str, customer: str) -> AnyQuote | None:
        async with self.uow.read() as rx:
            try:
                found = await rx.quotes.get(quote_id)
            except QuoteNotFound:
                return None
        return found if found.customer_id == customer else None

    async def get_quote(self, actor: Actor, quote_id: str) -> AnyQuote:
        async with self.uow.read() as rx:
            q = await rx.quotes.get(quote_id)
        if q.customer_id is not None and not actor.may_see(q.customer_id):
            raise QuoteNotFound("no such quote", details={"quote_id": quote_id})
        return q


def _quote_id(customer: str, request_id: str | None) -> str:
    """A fresh id, or one derived from the caller and the request id so a retry finds it."""
    if not request_id:
        return new_id("q")
    return "q_" + hashlib.sha256(f"{customer}\0{request_id}".encode()).hexdigest()[:32]


def _same_kind(found: AnyQuote, kind: type[Q]) -> Q:
    """A replayed request id must be the same kind of request (one style, or a cart)."""
    if not isinstance(found, kind):
        raise Conflict(
            "this request id was used for a different quote request",
            code="quote_request_id_reused",
            details={"quote_id": found.quote_id},
        )
    return found
