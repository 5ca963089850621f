"""How the saga reads and records an order: optimistic saves, events published with them.

No re-read before a save: the save only succeeds if the order's version is still the one loaded,
so a concurrent change (a cancel, another process) rolls the whole step back, and the step
reports None so the saga reloads the order and looks again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

import structlog

from services.orders.domain.errors import ConcurrentUpdate
from services.orders.domain.orders import Order
from services.orders.domain.saga import FailureReason, OrderStatus
from services.orders.service_layer.correlation import bind_cause
from services.orders.service_layer.unit_of_work import UnitOfWork, Work
from shared.clock import Clock

log = structlog.get_logger()

StepWork = Callable[[Work, Order], Awaitable[None]]  # database effects committed with a step


class SagaRecords:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def load(self, order_id: str) -> Order:
        async with self.uow.read() as rx:
            order = await rx.orders.get(order_id)
        bind_cause(order)
        return order

    async def open_sagas(self) -> list[tuple[str, str]]:
        """(order id, status) of every order the saga still has work on."""
        async with self.uow.read() as rx:
            return await rx.orders.open_sagas()

    async def due_sagas(self) -> list[tuple[str, str]]:
        """(order id, status) of the open sagas due for a look now."""
        async with self.uow.read() as rx:
            return await rx.orders.due_sagas(self.clock.now())

    async def due_orders(self) -> list[Order]:
        """The open sagas due for a look now, read whole in one statement."""
        async with self.uow.read() as rx:
            return await rx.orders.due_orders(self.clock.now())

    async def defer_all(self, seconds: Sequence[tuple[str, int, float]]) -> None:
        """`defer` for each (order id, version looked at, seconds), in one transaction (a
        sweep's worth); an order saved since that version stays due."""
        now = self.clock.now()
        async with self.uow() as tx:
            await tx.orders.defer_all([(o, v, now + timedelta(seconds=s)) for o, v, s in seconds])

    async def defer(self, order_id: str, seconds: float) -> None:
        """Look at this open saga again in `seconds` (a tracking poll backing off)."""
        async with self.uow() as tx:
            await tx.orders.defer(order_id, self.clock.now() + timedelta(seconds=seconds))

    async def record(
        self,
        order: Order,
        expected: OrderStatus,
        change: Callable[[Order], None],
        work: StepWork | None = None,
    ) -> Order | None:
        """Apply `change` if the order is still `expected`, and save it (None: look again)."""
        if order.status is not expected:
            return None
        change(order)
        return await self.commit(order, work)

    async def commit(self, order: Order, work: StepWork | None = None) -> Order | None:
        """Save the changed order (and `work`'s rows) in one transaction, optimistically."""
        try:
            async with self.uow() as tx:
                if work is not None:
                    await work(tx, order)
                await tx.orders.save(order)
                for event in order.pull_events():
                    tx.publish(event)
        except ConcurrentUpdate:
            log.info("saga.concurrent_update", order_id=order.order_id)
            return None
        return order

    async def fail(
        self, order: Order, expected: OrderStatus, reason: FailureReason, detail: str | None = None
    ) -> Order | None:
        log.info("saga.failed", order_id=order.order_id, reason=str(reason))
        return await self.record(
            order, expected, lambda o: o.fail(reason, self.clock.now(), detail)
        )
