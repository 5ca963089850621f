"""The unit of work a service's use cases see: its repositories and a place for domain events.

Every service builds its own unit of work the same way (cosmicpython's pattern, with the
transactional outbox underneath):

    # services/<svc>/adapters/unit_of_work.py
    class OrdersWork(Work[ev.OrderEvent]):
        def __init__(self, tx: Tx, to_wire: ToWire[ev.OrderEvent]) -> None:
            super().__init__(tx, to_wire)
            self.orders = SqlOrderRepository(tx.session)
            self.quotes = SqlQuoteRepository(tx.session)

    uow = SqlUnitOfWork(outbox_uow, OrdersWork, wire.to_cloud_event)

    # services/<svc>/service_layer/... (no sqlalchemy import there)
    async with uow() as work:           # one write transaction: state, outbox rows, request key
        order = await work.orders.get(order_id)
        work.publish(ev.OrderCancelled(...))   # mapped to its contract by adapters/wire.py
    async with uow.read() as work:      # a read-only snapshot; publishing from it is a bug
        return await work.orders.list_for(customer_id)

The service layer depends on its own `UnitOfWork` protocol (service_layer/unit_of_work.py);
this module is the SQL side every service shares, so none of them writes it again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Generic, TypeVar

from shared.contracts.envelope import CloudEvent
from shared.messaging.outbox import Tx, UnitOfWork

E = TypeVar("E")
ToWire = Callable[[E], CloudEvent[Any]]


class ReadOnlyWork(RuntimeError):
    """A use case published an event from a read-only unit of work."""


class Work(Generic[E]):
    """One transaction seen by a use case: subclasses add the service's repositories."""

    def __init__(self, tx: Tx, to_wire: ToWire[E] | None) -> None:
        self._tx = tx
        self._to_wire = to_wire

    @property
    def tx(self) -> Tx:
        """The transaction this work is a view of."""
        return self._tx

    def applied(self) -> None:
        """Record the keyed request being handled as applied, though this transaction writes no
        state: its effect happened at a provider and another path (a poll) recorded it first.
        A repeat of the request then gets this reply instead of running again and being refused
        by the state the first attempt left."""
        self._tx.session.info["wrote"] = True

    def publish(self, event: E) -> None:
        """Queue a domain event; its contract envelope is written to the outbox on commit."""
        if self._to_wire is None:
            raise ReadOnlyWork(f"{type(event).__name__} published from a read-only unit of work")
        self._tx.publish(self._to_wire(event))


W = TypeVar("W", bound=Work[Any])


class SqlUnitOfWork(Generic[W]):
    """Opens write transactions (state + outbox, committed together) and read-only snapshots."""

    def __init__(
        self,
        outbox: UnitOfWork,
        make_work: Callable[[Tx, ToWire[Any] | None], W],
        to_wire: ToWire[Any],
    ) -> None:
        self._outbox = outbox
        self._make_work = make_work
        self._to_wire = to_wire

    def __call__(self) -> AbstractAsyncContextManager[W]:
        return self._write()

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[W]:
        async with self._outbox() as tx:
            yield self._make_work(tx, self._to_wire)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[W]:
        async with self._outbox.db.read() as session:
            yield self._make_work(Tx(session), None)
