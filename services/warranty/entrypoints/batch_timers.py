"""The batch sweeper: re-evaluates production batches, since claims keep arriving after volumes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from services.warranty.service_layer.batch_analytics import BatchAnalytics

log = structlog.get_logger()


def batch_sweeper(uc: BatchAnalytics, interval: float) -> Callable[[Any], Awaitable[None]]:
    async def sweep_batches(_rt: Any) -> None:
        while True:
            try:
                await uc.evaluate()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database briefly unavailable: try again next tick
                log.warning("batches.evaluate_failed", error=str(exc),
                            error_type=type(exc).__name__)  # fmt: skip
            await asyncio.sleep(interval)

    return sweep_batches
