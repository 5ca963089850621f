"""What the use cases see of storage: a unit of work holding the repositories.

`async with uow() as work:` is one write transaction (state, outbox rows and the request's key
commit together); `async with uow.read() as work:` is a read-only snapshot (on SQLite it stays
outside the single writer's lock). The SQL side is adapters/unit_of_work.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from services.orders.domain import events as ev
from services.orders.domain.order_returns import Return
from services.orders.domain.orders import Order
from services.orders.domain.quotes import Quote
from services.orders.domain.shipments import CartQuote
from services.orders.domain.stock import Reservation
from shared.errors import Conflict


class DuplicateEntry(Conflict):
    """A write broke a uniqueness rule: a concurrent duplicate of the same request won."""

    code = "orders_duplicate_entry"


# A stored quote: one style, or a cart split into shipments.
AnyQuote = Quote | CartQuote


class QuoteRepository(Protocol):
    async def add(self, quote: AnyQuote) -> None: ...

    async def get(self, quote_id: str) -> AnyQuote:
        """Raises QuoteNotFound."""
        ...


class OrderRepository(Protocol):
    async def add(self, order: Order) -> None: ...

    async def get(self, order_id: str, *, for_update: bool = False) -> Order:
        """Raises OrderNotFound."""
        ...

    async def by_quote(self, quote_id: str) -> Order | None: ...

    async def save(self, order: Order) -> None:
        """Raises ConcurrentUpdate when the order was saved by someone else since it was read."""
        ...

    async def list_for_customer(
        self, customer_id: str | None, limit: int = 50, after: dict[str, str] | None = None
    ) -> tuple[list[Order], dict[str, str] | None]: ...

    async def open_sagas(self) -> list[tuple[str, str]]:
        """(order id, status) of every order the saga still has work on."""
        ...

    async def due_sagas(self, now: datetime) -> list[tuple[str, str]]:
        """(order id, status) of the open sagas due for a look at `now`."""
        ...

    async def defer(self, order_id: str, until: datetime) -> None:
        """Do not look at this open saga before `until` (a save makes it due again)."""
        ...

    async def due_orders(self, now: datetime) -> list[Order]:
        """The open sagas due for a look at `now`, read whole (the sweep works on them)."""
        ...

    async def defer_all(self, until: Sequence[tuple[str, int, datetime]]) -> None:
        """`defer` for each (order id, version looked at, until), in one statement; an order
        saved since that version is left due."""
        ...


class StockRepository(Protocol):
    async def seed(self, initial: Mapping[tuple[str, str], int]) -> int: ...

    async def available(self) -> dict[tuple[str, str], int]: ...

    async def level(self, warehouse: str, style: str) -> tuple[int, int]:
        """(on hand, reserved)."""
        ...

    async def reserve(
        self,
        *,
        owner_id: str,
        warehouse: str,
        style: str,
        quantity: int,
        now: datetime,
        purpose: str = "order",
    ) -> Reservation:
        """Raises InsufficientStock; a repeat for the same (owner, purpose) finds the first."""
        ...

    async def find(self, owner_id: str, purpose: str = "order") -> Reservation | None: ...

    async def release(self, reservation_id: str, now: datetime) -> bool: ...

    async def commit(self, reservation_id: str, now: datetime) -> bool: ...

    async def replenish(self, warehouse: str, style: str, quantity: int) -> tuple[int, int]:
        """Add units; (available before, available after)."""
        ...


class ListingRepository(Protocol):
    async def overrides(self) -> dict[tuple[str, str], Decimal | None]: ...

    async def set(self, style: str, region: str, price: Decimal | None, now: datetime) -> None: ...


class WaitlistRepository(Protocol):
    async def join(self, customer_id: str, style: str, region: str, now: datetime) -> str: ...

    async def waiting(self, style: str, region: str) -> list[tuple[str, str]]:
        """(entry id, customer id) of customers not yet told."""
        ...

    async def mark_notified(self, entry_ids: list[str], now: datetime) -> None: ...


class ReturnRepository(Protocol):
    async def add(self, ret: Return) -> None: ...

    async def get(self, return_id: str) -> Return:
        """Raises ReturnNotFound."""
        ...

    async def find(self, return_id: str) -> Return | None: ...

    async def for_order(
        self, order_id: str, limit: int = 200, after: dict[str, str] | None = None
    ) -> tuple[list[Return], dict[str, str] | None]: ...

    async def for_orders(self, order_ids: Sequence[str]) -> list[Return]:
        """Every return of these orders (for their views: what each line has left)."""
        ...

    async def save(self, ret: Return) -> None:
        """Raises ConcurrentUpdate when saved by someone else since it was read."""
        ...

    async def due(self, now: datetime, limit: int = 100) -> list[str]: ...

    async def defer(self, return_id: str, until: datetime) -> None: ...


class Work(Protocol):
    """One transaction (or read-only snapshot) as the use cases see it."""

    @property
    def quotes(self) -> QuoteRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def stock(self) -> StockRepository: ...

    @property
    def listings(self) -> ListingRepository: ...

    @property
    def waitlist(self) -> WaitlistRepository: ...

    @property
    def returns(self) -> ReturnRepository: ...

    def publish(self, event: ev.Event) -> None:
        """Queue a domain event; it is published if and only if the transaction commits."""
        ...

    def applied(self) -> None:
        """Record the request being handled as applied though nothing is written here."""
        ...


class UnitOfWork(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[Work]:
        """A write transaction. Raises DuplicateEntry when a uniqueness rule is broken."""
        ...

    def read(self) -> AbstractAsyncContextManager[Work]: ...
