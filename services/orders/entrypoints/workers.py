"""Runs sagas in the background: woken orders by workers, the rest on a periodic sweep.

Workers take orders from a queue (`wake`: an order was placed or cancelled, or the carrier
pushed a tracking update for its parcel). Placements come through `start` and pushes through
`soon`, which gather them for a fraction of a second so that their drives commit and publish
together; a cancel wakes at once. The sweeper reads the open sagas that are due (an indexed
`next_check_at`; a save makes an order due at once): orders with forward steps or compensations
owed are driven at once (this is how a restarted process resumes), orders waiting on the
carrier are polled for tracking. After any drive, an order left waiting on the carrier is
deferred with a growing interval (`tracking_interval`, doubling up to `max_tracking_interval`
while nothing changes); the deferral names the version looked at, so an order changed since
stays due. With a carrier that pushes its updates these polls are only a reconciliation (a
push lost with a stopped process); the sweep's cost follows the orders that are due, not how
many parcels are out.

One task drives an order at a time in this process; across processes, saves are optimistic
(version check) and providers are idempotent, so two replicas sweeping together are safe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol

import structlog

from services.orders.domain.orders import Order
from services.orders.domain.saga import OrderStatus

log = structlog.get_logger()
WAITING_ON_CARRIER = {str(OrderStatus.CONFIRMED), str(OrderStatus.SHIPPED)}


class OpenSagas(Protocol):
    async def open_sagas(self) -> list[tuple[str, str]]: ...

    async def due_sagas(self) -> list[tuple[str, str]]: ...

    async def defer(self, order_id: str, seconds: float) -> None: ...

    async def due_orders(self) -> list[Order]: ...

    async def defer_all(self, seconds: Sequence[tuple[str, int, float]]) -> None: ...


class Saga(Protocol):
    async def advance(self, order_id: str, saved: Order | None = None) -> Order: ...


class Tracking(Protocol):
    async def track(self, order_id: str, loaded: Order | None = None) -> Order: ...


class Gathering:
    """Order ids held for `window` seconds from the first one, then released together, in
    arrival order, each once; with no window, each is released at once."""

    def __init__(self, window: float, release: Callable[[list[str]], None]) -> None:
        self.window = window
        self._release = release
        self._held: dict[str, None] = {}

    def add(self, order_id: str) -> None:
        if self.window <= 0:
            self._release([order_id])
            return
        if not self._held:
            asyncio.get_running_loop().call_later(self.window, self._release_held)
        self._held[order_id] = None

    def _release_held(self) -> None:
        held, self._held = list(self._held), {}
        self._release(held)


class SagaScheduler:
    def __init__(
        self,
        sagas: OpenSagas,
        saga: Saga,
        tracking: Tracking,
        workers: int,
        sweep_interval: float,
        tracking_interval: float,
        max_tracking_interval: float = 30.0,
        gather: float = 0.0,
        placement_gather: float = 0.0,
    ) -> None:
        self.sagas = sagas
        self.saga = saga
        self.tracking = tracking
        self.workers = workers
        self.sweep_interval = sweep_interval
        self.tracking_interval = tracking_interval
        self.max_tracking_interval = max(tracking_interval, max_tracking_interval)
        self._polls: dict[str, tuple[int, str]] = {}  # order -> (polls at this status, status)
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.busy: set[str] = set()
        self.queued: set[str] = set()  # woken, not yet taken by a worker: the sweep leaves them
        self._again: set[str] = set()  # woken while busy: drive again after the current drive
        self._deferred: list[tuple[str, int, float]] = []  # (order, version, seconds) owed
        self._handed: dict[str, Order] = {}  # woken with the order as saved: not read again
        self._pushes = Gathering(gather, self._wake_all)
        self._placements = Gathering(placement_gather, self._queue_all)

    def wake(self, order_id: str, saved: Order | None = None) -> None:
        """Drive this order now: it was placed or cancelled, or its parcel moved (the carrier's
        tracking push). An order being driven already is driven again after that drive.

        `saved`: the order as just committed (a placement), which the drive starts from
        instead of reading it again; a wake without one drops it (it may be stale now)."""
        if saved is None:
            self._handed.pop(order_id, None)
        else:
            self._handed[order_id] = saved
        self.queued.add(order_id)
        self.queue.put_nowait(order_id)

    def start(self, order_id: str, saved: Order | None = None) -> None:
        """`wake` for a placed order, after a short gather (`placement_gather`): the sagas of
        the orders placed meanwhile start together, so their steps commit close together, the
        relay publishes their events in one batch and the consumers downstream take them in
        groups. The placement itself has committed, answered and published `order_placed`
        already; notifications takes that event at once (its consumer has no window), which is
        what made this gather cost latency before. At 100 orders/s: a few percent less CPU per
        order and a lower POST -> message p99 (docs/benchmarks.md, "Issue 14, fifteenth pass").

        Held, the order already counts as woken: the sweep leaves it to the worker that will
        take it, and the saved copy is handed over now, so a wake meanwhile (a cancel) drops
        it as it would have before, and the drive reads the order again."""
        if saved is None:
            self.wake(order_id)
            return
        self._handed[order_id] = saved
        self.queued.add(order_id)
        self._placements.add(order_id)

    def soon(self, order_id: str) -> None:
        """`wake`, after a short gather: how the carrier's tracking push (a parcel moved) asks
        for a drive.

        Wakes are gathered for `gather` seconds, then queued together. Pushes come one at a
        time (a parcel scanned); gathered, the drives they cause commit close together, so the
        outbox relay publishes their events in one batch and the consumers downstream take them
        in groups, where one at a time each paid a whole relay cycle and a consumer
        transaction. Nobody waits on these drives, and a push is only a hint to look now (the
        tracking read decides), so a fraction of a second changes nothing but when the order
        moves on; a push lost with the process is found by the sweep's reconciliation poll."""
        self._pushes.add(order_id)

    def _wake_all(self, order_ids: list[str]) -> None:
        for order_id in order_ids:
            self.wake(order_id)

    def _queue_all(self, order_ids: list[str]) -> None:
        """Held placements: woken already (`start`), queued now, with what was handed over."""
        for order_id in order_ids:
            self.queue.put_nowait(order_id)

    async def resume_all(self) -> int:
        """At start-up: finish every saga a previous process left open."""
        ids = [order_id for order_id, _ in await self.sagas.open_sagas()]
        for order_id in ids:
            await self._drive(order_id, again=False)
        return len(ids)

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._worker()) for _ in range(self.workers)]
        tasks.append(asyncio.create_task(self._sweeper()))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _worker(self) -> None:
        while True:
            await self.drive_woken(await self.queue.get())

    async def drive_woken(self, order_id: str) -> None:
        """What a worker does with an order taken from the queue."""
        self.queued.discard(order_id)
        await self._drive(order_id, saved=self._handed.pop(order_id, None))

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval)
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:  # database briefly unavailable: try again next sweep
                log.exception("saga.sweep_failed")

    async def sweep(self) -> None:
        # The deferrals owed since the last sweep are written first, together (one transaction
        # per sweep, not one per poll; a crash before it only polls those orders again), so the
        # orders just looked at are not due in this sweep's read. Due orders are read whole,
        # once; a tracking poll works on that copy (saves are version-checked).
        owed, self._deferred = self._deferred, []
        if owed:
            await self.sagas.defer_all(owed)
        for order in await self.sagas.due_orders():
            if order.order_id in self.queued:  # a worker drives it shortly (not twice)
                continue
            if str(order.status) in WAITING_ON_CARRIER:
                await self._drive(order.order_id, loaded=order, again=False)
            else:
                await self._drive(order.order_id, again=False)

    def _poll_interval(self, order_id: str, status: str) -> float:
        """Back off while the parcel's status stays the same; start again when it moves."""
        polls, seen = self._polls.get(order_id, (0, status))
        polls = polls + 1 if seen == status else 1
        self._polls[order_id] = (polls, status)
        return float(min(self.max_tracking_interval, self.tracking_interval * 2 ** (polls - 1)))

    async def _drive(
        self,
        order_id: str,
        *,
        loaded: Order | None = None,
        saved: Order | None = None,
        again: bool = True,
    ) -> None:
        """Advance the order (unless `loaded`: a tracking poll), then apply its tracking.

        `saved`: the order handed over by its placement, the advance starts from it.
        `again`: a wake (a push may arrive while a poll of the same order is under way, having
        read the tracking before it moved): drive it once more after the current drive."""
        if order_id in self.busy:
            if again:
                self._again.add(order_id)
            return
        self.busy.add(order_id)
        order = loaded
        try:
            if order is None:
                order = await self.saga.advance(order_id, saved)
            if str(order.status) in WAITING_ON_CARRIER:
                order = await self.tracking.track(order_id, order)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("saga.step_failed", order_id=order_id)
        finally:
            self.busy.discard(order_id)
            if order_id in self._again:
                self._again.discard(order_id)
                self.wake(order_id)
        if order is not None:
            self._schedule_next(order)

    def _schedule_next(self, order: Order) -> None:
        """An order waiting on its parcels is looked at again after a back-off (unless it
        changes meanwhile: the deferral names the version looked at); a closed one is
        forgotten."""
        if not order.saga_open:
            self._polls.pop(order.order_id, None)
            return
        status = str(order.status)
        if status in WAITING_ON_CARRIER:
            wait = self._poll_interval(order.order_id, status)
            self._deferred.append((order.order_id, order.version, wait))
