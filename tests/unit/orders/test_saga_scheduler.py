"""The scheduler drives open sagas and polls parcels in transit at a bounded rate."""

from __future__ import annotations

from services.orders.saga_scheduler import SagaScheduler


class FakeStatus:
    def __init__(self, status: str) -> None:
        self.status = status


class FakeRunner:
    def __init__(self, open_sagas: list[tuple[str, str]]) -> None:
        self.open = open_sagas
        self.advanced: list[str] = []
        self.tracked: list[str] = []

    async def open_sagas(self) -> list[tuple[str, str]]:
        return self.open

    async def advance(self, order_id: str) -> FakeStatus:
        self.advanced.append(order_id)
        return FakeStatus(dict(self.open)[order_id])

    async def track(self, order_id: str) -> None:
        self.tracked.append(order_id)


async def test_forward_work_every_sweep_tracking_at_most_every_interval() -> None:
    runner = FakeRunner([("o-new", "pending"), ("o-transit", "confirmed"), ("o-undo", "failed")])
    scheduler = SagaScheduler(runner, workers=1, sweep_interval=0.01, tracking_interval=3600)  # type: ignore[arg-type]
    await scheduler.sweep()
    await scheduler.sweep()
    assert runner.advanced == ["o-new", "o-undo", "o-new", "o-undo"]
    assert runner.tracked == ["o-transit"]  # polled once, not on every sweep


async def test_closed_sagas_are_forgotten() -> None:
    runner = FakeRunner([("o-1", "shipped")])
    scheduler = SagaScheduler(runner, workers=1, sweep_interval=0.01, tracking_interval=3600)  # type: ignore[arg-type]
    await scheduler.sweep()
    runner.open = []
    await scheduler.sweep()
    assert scheduler._next_poll == {}
