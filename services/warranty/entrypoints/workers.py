"""Background workers: the claim timer sweep, the batch re-evaluation loop, the sweep of label
photos no claim took, and the OCR reader's warm-up and shutdown.

The sweeps run at start-up first, so anything that fell due while the service was down happens now,
and both survive a failed round (the database briefly unavailable): they try again next tick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from services.warranty.service_layer.batch_analytics import BatchAnalytics
from services.warranty.service_layer.claim_evidence import ClaimEvidence
from services.warranty.service_layer.claim_timers import ClaimTimers
from services.warranty.service_layer.label_photos import LabelPhotos

log = structlog.get_logger()

Worker = Callable[[Any], Awaitable[None]]


def _every(
    name: str, interval: float, work: Callable[[], Awaitable[object]], failed: str
) -> Worker:
    async def loop(_rt: Any) -> None:
        while True:
            try:
                await work()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database briefly unavailable: try again next tick
                log.warning(failed, error=str(exc), error_type=type(exc).__name__)
            await asyncio.sleep(interval)

    loop.__name__ = name  # the runtime names the task (and its crash reports) after it
    return loop


def timer_sweeper(timers: ClaimTimers, interval: float) -> Worker:
    """RMA reminders and lapses, SLA alarms; their due times live in the database."""
    return _every("sweep_timers", interval, timers.sweep, "timers.sweep_failed")


def photo_sweeper(uc: ClaimEvidence, interval: float) -> Worker:
    """Deletes label photos that no claim took within the retention period."""
    return _every("sweep_photos", interval, uc.forget_unclaimed, "label.photo_sweep_failed")


def ocr_reader(photos: LabelPhotos, warm_up_timeout: float | None) -> Worker:
    """Owns the OCR reader for the service's life: loads the model once at start (unless
    `warm_up_timeout` is None; /readyz reports `ocr` false until it is done), and closes the
    reader (ends its child process) when the runtime stops, after the requests in hand."""

    async def ocr(_rt: Any) -> None:
        try:
            if warm_up_timeout is not None:
                await photos.warm_up(warm_up_timeout)
            await asyncio.Event().wait()  # until the runtime cancels its tasks at shutdown
        finally:
            photos.close()

    return ocr


def batch_sweeper(uc: BatchAnalytics, interval: float) -> Worker:
    """Re-evaluates production batches, since claims keep arriving after the volumes."""
    return _every("sweep_batches", interval, uc.evaluate, "batches.evaluate_failed")
