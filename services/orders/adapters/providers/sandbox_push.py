"""The sandbox carrier's tracking push: what a real carrier's tracking webhooks do.

A real carrier integration is told when a parcel moves (a webhook) and polls only to reconcile,
slowly. The sandbox knows its own schedule, so when a listener is subscribed it calls it at
each scheduled tracking update of an order's parcel with the order's id (the reference a
webhook carries). A push is only a hint to look now: the listener reads the tracking as usual
(`tracking()`), so a push that is late, early or lost (the process stopped; timers live in
memory) changes nothing but how soon the order sees the update; the reconciliation poll and
the start-up resume still find it. Timers are armed in the process that books the parcel or
first reads its tracking (a restarted or second replica arms them on its first poll).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import structlog

from shared.clock import Clock

log = structlog.get_logger()
Listener = Callable[[str], None]
SLACK = 0.05  # seconds after the update is due, so the listener's read already shows it


class TrackingPush:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.listener: Listener | None = None
        self._armed: set[str] = set()  # parcels with timers pending (dropped after the last)

    def subscribe(self, listener: Listener) -> None:
        self.listener = listener

    def arm(
        self, shipment_id: str, reference: str, due: list[datetime], live: Callable[[], bool]
    ) -> None:
        """Push `reference` at each future time in `due` while `live()` (not cancelled)."""
        if self.listener is None or shipment_id in self._armed:
            return
        now = self.clock.now()
        ahead = sorted(at for at in due if at > now)
        if not ahead:
            return
        self._armed.add(shipment_id)
        loop = asyncio.get_running_loop()
        for at in ahead:
            last = at == ahead[-1]
            loop.call_later(self._wait(at), self._fire, shipment_id, reference, at, live, last)

    def _wait(self, at: datetime) -> float:
        return max(0.0, (at - self.clock.now()).total_seconds()) + SLACK

    def _fire(
        self, shipment_id: str, reference: str, at: datetime, live: Callable[[], bool], last: bool
    ) -> None:
        if self.clock.now() < at:  # the loop's clock ran ahead of the wall clock: wait more
            asyncio.get_running_loop().call_later(
                self._wait(at), self._fire, shipment_id, reference, at, live, last
            )
            return
        if last:
            self._armed.discard(shipment_id)
        if self.listener is None or not live():
            return
        try:
            self.listener(reference)
        except Exception:  # a listener's bug must not stop the other pushes
            log.exception("sandbox_carrier.push_failed", shipment_id=shipment_id)
