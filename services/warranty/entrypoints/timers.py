"""The timer sweeper: RMA reminders and lapses, SLA alarms. Due times live in the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from services.warranty.handlers import Handlers

log = structlog.get_logger()


def timer_sweeper(handlers: Handlers, interval: float) -> Callable[[Any], Awaitable[None]]:
    async def sweep_timers(_rt: Any) -> None:
        # Runs at start-up first, so anything that fell due while the service was down fires now.
        while True:
            try:
                await handlers.sweep_timers()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database briefly unavailable: try again next tick
                log.warning("timers.sweep_failed", error=str(exc), error_type=type(exc).__name__)
            await asyncio.sleep(interval)

    return sweep_timers
