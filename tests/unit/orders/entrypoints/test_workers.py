"""Tracking polls back off while a parcel's status stays the same, and restart when it moves."""

import asyncio

from services.orders.entrypoints.workers import SagaScheduler


def test_tracking_poll_interval_doubles_to_the_cap_and_resets_on_a_new_status():
    scheduler = SagaScheduler(sagas=None, saga=None, tracking=None,  # type: ignore[arg-type]
                              workers=1, sweep_interval=1.0,
                              tracking_interval=2.0, max_tracking_interval=10.0)  # fmt: skip
    waits = [scheduler._poll_interval("o1", "confirmed") for _ in range(5)]
    assert waits == [2.0, 4.0, 8.0, 10.0, 10.0]
    assert scheduler._poll_interval("o1", "shipped") == 2.0  # it moved: look again soon
    assert scheduler._poll_interval("o2", "confirmed") == 2.0  # orders back off independently


class _Order:
    def __init__(self, status: str, order_id: str = "") -> None:
        self.status = status
        self.order_id = order_id
        self.saga_open = status not in ("delivered", "failed", "cancelled")
        self.version = 1


class _RunnerWithOnePoisonedOrder:
    """Driving order `bad` raises (a corrupt saga row); the others advance."""

    def __init__(self) -> None:
        self.advanced: list[str] = []
        self.tracked: list[str] = []
        self.deferred: set[str] = set()

    async def due_sagas(self):
        due = [("bad", "placed"), ("good", "placed"), ("parcel-bad", "shipped"),
               ("parcel", "shipped")]  # fmt: skip
        return [(order_id, status) for order_id, status in due if order_id not in self.deferred]

    async def due_orders(self):
        return [_Order(status, order_id) for order_id, status in await self.due_sagas()]

    async def defer(self, order_id: str, seconds: float) -> None:
        self.deferred.add(order_id)

    async def defer_all(self, seconds) -> None:
        self.deferred.update(order_id for order_id, _version, _ in seconds)

    async def advance(self, order_id: str, saved=None):  # the Saga protocol
        if order_id == "bad":
            raise KeyError("a corrupt saga row")
        self.advanced.append(order_id)
        return _Order("delivered")

    async def track(self, order_id: str, loaded=None):
        if order_id == "parcel-bad":
            raise RuntimeError("carrier adapter bug")
        self.tracked.append(order_id)
        return loaded


async def test_a_poisoned_order_does_not_stop_the_sweep_nor_the_tracking_polls():
    runner = _RunnerWithOnePoisonedOrder()
    scheduler = SagaScheduler(sagas=runner, saga=runner, tracking=runner,  # type: ignore[arg-type]
                              workers=1, sweep_interval=1.0, tracking_interval=2.0)  # fmt: skip
    await scheduler.sweep()
    await scheduler.sweep()  # and again: the poisoned ones are still contained
    assert runner.advanced == ["good", "good"]
    assert runner.tracked == ["parcel"]
    assert scheduler.busy == set()


class _SlowSaga:
    """Advancing order `o` waits until released (a drive under way)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.advanced = 0

    async def advance(self, order_id: str, saved=None):  # the Saga protocol
        self.advanced += 1
        await self.release.wait()
        return _Order("delivered", order_id)


async def test_a_wake_while_the_order_is_driven_drives_it_again_afterwards():
    saga = _SlowSaga()
    scheduler = SagaScheduler(sagas=None, saga=saga, tracking=None,  # type: ignore[arg-type]
                              workers=1, sweep_interval=1.0, tracking_interval=2.0)  # fmt: skip
    first = asyncio.create_task(scheduler._drive("o"))
    await asyncio.sleep(0)
    await scheduler._drive("o")  # a push arrives meanwhile: not lost...
    await scheduler._drive("o", again=False)  # ...while a sweep's look is simply skipped
    assert scheduler.queue.empty()
    saga.release.set()
    await first
    assert scheduler.queue.get_nowait() == "o" and scheduler.queue.empty()
    assert saga.advanced == 1


async def test_the_sweep_leaves_a_woken_order_to_the_worker_that_will_take_it():
    runner = _RunnerWithOnePoisonedOrder()
    scheduler = SagaScheduler(sagas=runner, saga=runner, tracking=runner,  # type: ignore[arg-type]
                              workers=1, sweep_interval=1.0, tracking_interval=2.0)  # fmt: skip
    scheduler.wake("good")
    await scheduler.sweep()
    assert runner.advanced == []  # queued: not driven twice
    assert scheduler.queue.get_nowait() == "good"


def _scheduler(gather: float) -> SagaScheduler:
    return SagaScheduler(sagas=None, saga=None, tracking=None,  # type: ignore[arg-type]
                         workers=1, sweep_interval=1.0, tracking_interval=2.0,
                         gather=gather)  # fmt: skip


def _queued(scheduler: SagaScheduler) -> list[str]:
    return [scheduler.queue.get_nowait() for _ in range(scheduler.queue.qsize())]


def test_wakes_are_gathered_then_queued_together_once_each():
    async def scenario() -> tuple[list[str], list[str]]:
        scheduler = _scheduler(gather=0.05)
        for order_id in ("o1", "o2", "o1", "o3"):
            scheduler.soon(order_id)
        before = _queued(scheduler)
        await asyncio.sleep(0.2)
        return before, _queued(scheduler)

    before, after = asyncio.run(scenario())
    assert before == []  # nothing is driven while the wakes are gathered
    assert after == ["o1", "o2", "o3"]  # in arrival order; a repeated wake drives it once


def test_a_wake_after_the_gathered_ones_were_queued_starts_a_new_gather():
    async def scenario() -> list[list[str]]:
        scheduler = _scheduler(gather=0.05)
        scheduler.soon("o1")
        await asyncio.sleep(0.2)
        first = _queued(scheduler)
        scheduler.soon("o1")  # its parcel moved again (delivered after in transit)
        right_after = _queued(scheduler)
        await asyncio.sleep(0.2)
        return [first, right_after, _queued(scheduler)]

    assert asyncio.run(scenario()) == [["o1"], [], ["o1"]]


def test_without_a_gather_a_wake_is_queued_at_once():
    scheduler = _scheduler(gather=0.0)
    scheduler.soon("o1")
    assert _queued(scheduler) == ["o1"]
    assert "o1" in scheduler.queued  # the sweep leaves it to the worker


def _placing(window: float) -> SagaScheduler:
    return SagaScheduler(sagas=None, saga=None, tracking=None,  # type: ignore[arg-type]
                         workers=1, sweep_interval=1.0, tracking_interval=2.0,
                         placement_gather=window)  # fmt: skip


def test_placements_are_held_then_queued_together_with_their_saved_copies():
    saved = {order_id: _Order("placed", order_id) for order_id in ("o1", "o2")}

    async def scenario() -> tuple[list[str], set[str], list[str]]:
        scheduler = _placing(0.05)
        scheduler.start("o1", saved["o1"])  # type: ignore[arg-type]
        scheduler.start("o2", saved["o2"])  # type: ignore[arg-type]
        held, woken = _queued(scheduler), set(scheduler.queued)
        await asyncio.sleep(0.2)
        return held, woken, _queued(scheduler)

    held, woken, after = asyncio.run(scenario())
    assert held == []  # no saga starts while the placements are gathered
    assert woken == {"o1", "o2"}  # but they count as woken: the sweep leaves them to a worker
    assert after == ["o1", "o2"]  # in the order they were placed


def test_a_held_placement_keeps_its_saved_copy_unless_a_wake_comes_meanwhile():
    placed = {order_id: _Order("placed", order_id) for order_id in ("o1", "o2")}

    async def scenario() -> dict[str, object]:
        scheduler = _placing(0.05)
        scheduler.start("o1", placed["o1"])  # type: ignore[arg-type]
        scheduler.start("o2", placed["o2"])  # type: ignore[arg-type]
        scheduler.wake("o2")  # cancelled while held: the copy may be stale now
        await asyncio.sleep(0.2)
        return dict(scheduler._handed)

    handed = asyncio.run(scenario())
    assert handed == {"o1": placed["o1"]}  # o2's drive reads the order again


def test_without_a_placement_gather_a_saga_starts_at_once():
    scheduler = _placing(0.0)
    order = _Order("placed", "o1")
    scheduler.start("o1", order)  # type: ignore[arg-type]
    assert _queued(scheduler) == ["o1"]
    assert scheduler._handed == {"o1": order}
