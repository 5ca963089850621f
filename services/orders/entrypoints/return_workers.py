"""Runs returns in the background: a sweep reads the open returns that are due (an indexed
`next_check_at`; a save makes a return due at once), takes every step each is ready for
(tracking, refund, expiry), and looks again at an open one after `poll_interval`.

Across processes, saves are optimistic and the providers idempotent, so two replicas sweeping
together are safe; a process that died mid-step leaves the return due, and the next sweep
(here or in another replica) finishes it.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

import structlog

from services.orders.domain.order_returns import Return

log = structlog.get_logger()


class Processing(Protocol):
    async def due(self) -> list[str]: ...

    async def defer(self, return_id: str, seconds: float) -> None: ...

    async def advance(self, return_id: str) -> Return: ...


class ReturnWorker:
    def __init__(self, processing: Processing, sweep_interval: float, poll_interval: float):
        self.processing = processing
        self.sweep_interval = sweep_interval
        self.poll_interval = poll_interval

    async def run(self) -> None:
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:  # database briefly unavailable: try again next sweep
                log.exception("returns.sweep_failed")
            await asyncio.sleep(self.sweep_interval)

    async def sweep(self) -> int:
        """One pass over the due returns; how many were looked at."""
        due = await self.processing.due()
        for return_id in due:
            await self.drive(return_id)
        return len(due)

    async def drive(self, return_id: str) -> None:
        try:
            ret = await self.processing.advance(return_id)
            if ret.is_open:
                await self.processing.defer(return_id, self.poll_interval)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("returns.step_failed", return_id=return_id)
