"""A service's stop ends every background task, even one whose first cancellation was lost (as
asyncio.wait_for on Python 3.11 loses one that comes with its result in the same turn)."""

from __future__ import annotations

import asyncio

from shared.runtime.service import cancel_all


async def test_a_task_that_lost_its_cancellation_is_cancelled_again() -> None:
    lost = 0

    async def loop_that_loses_one_cancel() -> None:
        nonlocal lost
        while True:
            try:
                await asyncio.sleep(0.01)
            except asyncio.CancelledError:
                if lost:
                    raise
                lost += 1  # what a swallowed cancellation looks like to the loop: it goes on

    async def plain() -> None:
        await asyncio.sleep(60)

    tasks = [asyncio.create_task(loop_that_loses_one_cancel()), asyncio.create_task(plain())]
    await asyncio.sleep(0.05)
    await asyncio.wait_for(cancel_all(tasks), timeout=5)
    assert all(t.cancelled() for t in tasks) and lost == 1


async def test_what_a_task_raised_is_retrieved_not_raised() -> None:
    async def fails() -> None:
        raise RuntimeError("crashed before the stop")

    task = asyncio.create_task(fails())
    await asyncio.sleep(0)
    await cancel_all([task])
    assert isinstance(task.exception(), RuntimeError)
