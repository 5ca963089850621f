"""Use cases of the orders service: take a command, use repositories, record events.

Wire models stop at entrypoints; these functions take plain values and return domain objects.
Each write runs in one unit of work, so the state change and its outbox rows commit together.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.orders.adapters import tables as t
from services.orders.adapters.repository import (
    ConcurrentUpdate,
    OrderRepository,
    QuoteRepository,
)
from services.orders.adapters.stock_store import StockStore
from services.orders.domain import catalogue as cat
from services.orders.domain import events as ev
from services.orders.domain.errors import (
    OrderAlreadyShipped,
    OrderNotFound,
    QuoteNotFound,
    ShipmentNotCancellable,
)
from services.orders.domain.money import Money
from services.orders.domain.orders import Order
from services.orders.domain.providers import CarrierProvider, FxProvider
from services.orders.domain.quotes import QUOTE_TTL, Quote, create_quote
from services.orders.domain.reference import Listing, ReferenceData
from services.orders.domain.saga import SHIPMENT_MAY_BE_BOOKED, OrderStatus, Step, step_key
from shared.clock import Clock
from shared.errors import DomainError, ErrorKind
from shared.logging import current_correlation_id


class TxLike(Protocol):
    session: AsyncSession

    def publish(self, event: Any) -> None: ...


UnitOfWorkFactory = Callable[[], AbstractAsyncContextManager[TxLike]]
# Turns a domain event into the wire envelope (shared.contracts.orders) for the outbox.
EventMapper = Callable[[ev.DomainEvent], Any]
# A cancel re-reads and retries when the order moved while the carrier was asked (the saga
# has at most a few steps left to take, so this is never exhausted in practice).
CANCEL_ATTEMPTS = 8


@dataclass(frozen=True)
class Caller:
    """Who asks: a customer for themselves, an agent (for a customer), or the system."""

    kind: str  # "customer" | "agent" | "partner" | "system"
    id: str
    on_behalf_of: str | None = None

    @property
    def customer_id(self) -> str | None:
        return self.id if self.kind == "customer" else self.on_behalf_of

    @property
    def agent_id(self) -> str | None:
        return self.id if self.kind == "agent" else None

    def may_see(self, owner_id: str) -> bool:
        if self.kind in ("agent", "system"):
            return self.on_behalf_of is None or self.on_behalf_of == owner_id
        return self.customer_id == owner_id


class CustomerRequired(DomainError):
    code = "orders_customer_required"
    kind = ErrorKind.INVALID


@dataclass
class OrdersService:
    uow: UnitOfWorkFactory
    ref: ReferenceData
    fx: FxProvider
    clock: Clock
    to_wire: EventMapper
    carrier: CarrierProvider  # consulted by a cancel: has the parcel left?
    on_order_placed: Callable[[str], None] = lambda _order_id: None  # wakes the saga runner
    quote_ttl: timedelta = QUOTE_TTL

    # -- reference data ----------------------------------------------------------------
    async def reference(self, session: AsyncSession) -> ReferenceData:
        """Packaged data + operator listing overrides + the current FX snapshot."""
        rows = (await session.execute(sa.select(t.listing_overrides))).all()
        ref = self.ref.with_fx(self.fx.snapshot())
        if not rows:
            return ref
        overridden = {(r.style, r.region): r.price for r in rows}
        listings = [x for x in ref.listings if (x.style, x.region) not in overridden]
        for (style, region), price in overridden.items():
            if price is not None:
                currency = ref.region(region).currency
                listings.append(Listing(style, region, Money(Decimal(price), currency)))
        return replace(ref, listings=tuple(listings))

    # -- catalogue ---------------------------------------------------------------------
    async def catalogue(self, region: str) -> list[cat.Offer]:
        async with reading(self.uow) as tx:
            ref = await self.reference(tx.session)
            stock = await StockStore(tx.session).available()
        return cat.catalogue_for(ref, region, stock)

    async def offer(self, style: str, region: str) -> cat.Offer:
        async with reading(self.uow) as tx:
            ref = await self.reference(tx.session)
            stock = await StockStore(tx.session).available()
        return cat.offer_for(ref, style, region, stock)

    # -- quotes ------------------------------------------------------------------------
    async def quote(
        self, caller: Caller, style: str, region: str, quantity: int, request_id: str | None = None
    ) -> Quote:
        customer = require_customer(caller)
        quote_id = _new_id("q")
        if request_id:
            # A retry of a request whose quote exists (the gateway died before storing the
            # response): the quote id is derived from the request id, so the retry finds it.
            quote_id = "q_" + hashlib.sha256(f"{customer}\0{request_id}".encode()).hexdigest()[:32]
            existing = await self._existing_quote(quote_id, customer)
            if existing is not None:
                return existing
        # Price outside the write transaction (SQLite has one writer): only the insert is in it.
        async with reading(self.uow) as rx:
            ref = await self.reference(rx.session)
            stock = await StockStore(rx.session).available()
        q = create_quote(
            ref,
            quote_id=quote_id,
            style=style,
            region=region,
            quantity=quantity,
            now=self.clock.now(),
            stock=stock,
            customer_id=customer,
            agent_id=caller.agent_id,
            ttl=self.quote_ttl,
        )
        try:
            async with self.uow() as tx:
                await QuoteRepository(tx.session).add(q)
                tx.publish(self.to_wire(q.created_event()))
        except IntegrityError:
            # A duplicate of this request (same request id) inserted the quote first: a replay.
            existing = await self._existing_quote(quote_id, customer)
            if existing is None:
                raise
            return existing
        return q

    async def _existing_quote(self, quote_id: str, customer: str) -> Quote | None:
        async with reading(self.uow) as rx:
            try:
                found = await QuoteRepository(rx.session).get(quote_id)
            except QuoteNotFound:
                return None
        return found if found.customer_id == customer else None

    async def get_quote(self, caller: Caller, quote_id: str) -> Quote:
        async with reading(self.uow) as tx:
            q = await QuoteRepository(tx.session).get(quote_id)
        if q.customer_id is not None and not caller.may_see(q.customer_id):
            raise QuoteNotFound("no such quote", details={"quote_id": quote_id})
        return q

    # -- orders ------------------------------------------------------------------------
    async def place_order(self, caller: Caller, quote_id: str, payment_token: str) -> Order:
        """Accept a quote. Idempotent per quote: placing it again returns the same order."""
        customer = require_customer(caller)
        try:
            order = await self._place(caller, customer, quote_id, payment_token)
        except IntegrityError:
            # A concurrent request placed this quote first (unique quote_id): answer with it.
            async with reading(self.uow) as tx:
                order = await OrderRepository(tx.session).by_quote(quote_id)  # type: ignore[assignment]
            if order is None:
                raise
        if order.customer_id != customer:
            raise QuoteNotFound("no such quote", details={"quote_id": quote_id})
        self.on_order_placed(order.order_id)
        return order

    async def _place(
        self, caller: Caller, customer: str, quote_id: str, payment_token: str
    ) -> Order:
        async with reading(self.uow) as rx:
            existing = await OrderRepository(rx.session).by_quote(quote_id)
            if existing is not None:
                return existing
            q = await QuoteRepository(rx.session).get(quote_id)
        order = Order.place(
            order_id=_new_id("o"),
            quote=q,
            customer_id=customer,
            payment_token=payment_token,
            now=self.clock.now(),
            agent_id=caller.agent_id,
        )
        order.correlation_id = current_correlation_id()
        # A concurrent placement of the same quote fails here on the unique quote_id.
        async with self.uow() as tx:
            await OrderRepository(tx.session).add(order)
            for event in order.pull_events():
                tx.publish(self.to_wire(event))
        return order

    async def get_order(self, caller: Caller, order_id: str) -> Order:
        async with reading(self.uow) as tx:
            order = await OrderRepository(tx.session).get(order_id)
        if not caller.may_see(order.customer_id):
            raise OrderNotFound("no such order", details={"order_id": order_id})
        return order

    async def list_orders(
        self, caller: Caller, limit: int = 50, after: dict[str, str] | None = None
    ) -> tuple[list[Order], dict[str, str] | None]:
        customer = caller.customer_id
        if customer is None and caller.kind not in ("agent", "system"):
            return [], None
        async with reading(self.uow) as tx:
            return await OrderRepository(tx.session).list_for_customer(customer, limit, after)

    async def cancel_order(self, caller: Caller, order_id: str) -> Order:
        """Cancel before the parcel leaves; the runner then undoes every completed step.

        Whether the parcel has left is the carrier's answer, not our copy of its tracking (polled
        with a back-off, so it lags): a booked shipment is cancelled at the carrier first, and
        the cancel is recorded only if the order has not changed since. Otherwise a late cancel
        would owe a compensation the carrier refuses forever, and the release of the stock and
        the void of the authorization queued behind it would never run.
        """
        cancelled_at_carrier = False
        for _ in range(CANCEL_ATTEMPTS):
            async with reading(self.uow) as rx:
                seen = await OrderRepository(rx.session).get(order_id)
            if not caller.may_see(seen.customer_id):
                raise OrderNotFound("no such order", details={"order_id": order_id})
            if cancelled_at_carrier and seen.status is OrderStatus.CANCELLED:
                # Our carrier cancel was seen by the saga's tracking poll first, which recorded
                # the cancel itself: the request succeeded.
                return seen
            seen.check_cancellable()
            cancelled_at_carrier = await self._cancel_shipment_first(seen) or cancelled_at_carrier
            order = await self._record_cancel(seen, by=caller.kind)
            if order is not None:
                self.on_order_placed(order_id)  # the runner performs the compensations
                return order
        raise ConcurrentUpdate("order changed concurrently", details={"order_id": order_id})

    async def _cancel_shipment_first(self, order: Order) -> bool:
        """Cancel a booked shipment at the carrier; True if there was one to cancel."""
        if order.status not in SHIPMENT_MAY_BE_BOOKED:
            return False
        shipment_id = order.shipment_id
        if shipment_id is None:  # booked by a runner that died before recording it?
            booked = await self.carrier.find(step_key(order.order_id, Step.CREATE_SHIPMENT))
            shipment_id = booked.shipment_id if booked else None
        if shipment_id is None:
            return False
        try:
            await self.carrier.cancel(shipment_id)
        except ShipmentNotCancellable as exc:
            self.on_order_placed(order.order_id)  # the runner catches up with the tracking
            raise OrderAlreadyShipped(
                "the parcel has left the warehouse: the order can no longer be cancelled",
                details={"order_id": order.order_id, "shipment_status": exc.details.get("status")},
            ) from exc
        return True

    async def _record_cancel(self, seen: Order, by: str) -> Order | None:
        """Save the cancel if the order is still as seen when the carrier was asked; else None."""
        async with self.uow() as tx:
            orders = OrderRepository(tx.session)
            order = await orders.get(seen.order_id, for_update=True)
            if order.version != seen.version:
                return None  # moved on meanwhile (a step, another cancel): look again
            order.cancel(self.clock.now(), by=by)
            await orders.save(order)
            for event in order.pull_events():
                tx.publish(self.to_wire(event))
        return order


@dataclass
class _ReadTx:
    session: AsyncSession


@asynccontextmanager
async def reading(uow: UnitOfWorkFactory) -> AsyncIterator[_ReadTx]:
    """A read-only session: outside SQLite's writer lock when the unit of work has a database."""
    db = getattr(uow, "db", None)
    if db is None:
        async with uow() as tx:
            yield _ReadTx(tx.session)
        return
    async with db.read() as session:
        yield _ReadTx(session)


def require_customer(caller: Caller) -> str:
    if caller.customer_id is None:
        raise CustomerRequired("an agent must say which customer this is for (on_behalf_of)")
    return caller.customer_id


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"
