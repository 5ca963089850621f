"""The sandbox carrier pushes an order's id when its parcel moves (its tracking webhooks)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from services.orders.adapters.providers.sandbox_carrier import SandboxCarrierProvider
from services.orders.domain.ports import ShipmentRequest, TrackingStatus
from services.orders.domain.quotes import create_quote
from shared.clock import SystemClock


class _Journal:
    """The carrier's durable record, in memory (the SQL one is tested in integration)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    async def save_shipment(self, row: dict[str, Any]) -> None:
        self.rows[row["shipment_id"]] = dict(row)

    async def add_shipment(self, row: dict[str, Any]) -> bool:
        if await self.load_shipment(key=row["idempotency_key"], shipment_id=row["shipment_id"]):
            return False
        await self.save_shipment(row)
        return True

    async def load_shipments(self) -> list[dict[str, Any]]:
        return list(self.rows.values())

    async def load_shipment(self, *, key=None, shipment_id=None) -> dict[str, Any] | None:
        for row in self.rows.values():
            if row["shipment_id"] == shipment_id or row["idempotency_key"] == key:
                return dict(row)
        return None


@pytest.fixture
def request_(ref, now) -> ShipmentRequest:
    q = create_quote(ref, quote_id="q", style="TC11", region="UK", quantity=1, now=now)
    return ShipmentRequest("o-1", q.warehouse, "UK", q.customs, "o-1:shipment")


def carrier(journal: _Journal | None = None) -> SandboxCarrierProvider:
    return SandboxCarrierProvider(
        SystemClock(),
        in_transit_after=timedelta(seconds=0.05),
        delivered_after=timedelta(seconds=0.1),
        journal=journal,
    )


async def test_each_update_is_pushed_once_and_the_tracking_already_shows_it(request_) -> None:
    sbx, pushed = carrier(), list[tuple[str, TrackingStatus]]()
    shp = await sbx.create_shipment(request_)

    def listener(order_id: str) -> None:  # what a read of the tracking would show now
        pushed.append((order_id, sbx._status_at(sbx._booked(shp.shipment_id), sbx.clock.now())))

    sbx.subscribe(listener)
    await sbx.tracking(shp.shipment_id)  # arms on this read: subscribed after the booking
    await sbx.tracking(shp.shipment_id)  # armed once, not twice
    await asyncio.sleep(0.4)
    assert [order_id for order_id, _ in pushed] == ["o-1", "o-1"]
    # Never early (a slow loop may run both timers at the delivery): each push can be read.
    assert pushed[0][1] in (TrackingStatus.IN_TRANSIT, TrackingStatus.DELIVERED)
    assert pushed[1][1] is TrackingStatus.DELIVERED
    assert sbx.push._armed == set()  # forgotten after its last update


async def test_a_booking_pushes_its_updates_and_a_cancelled_parcel_none(request_) -> None:
    sbx, pushed = carrier(), list[str]()
    sbx.subscribe(pushed.append)
    await sbx.create_shipment(request_)
    other = ShipmentRequest("o-2", request_.from_warehouse, "UK", request_.customs, "o-2:s")
    cancelled = await sbx.create_shipment(other)
    await sbx.cancel(cancelled.shipment_id)
    await asyncio.sleep(0.4)
    assert pushed == ["o-1", "o-1"]


async def test_a_restarted_carrier_pushes_once_it_reads_the_parcel_from_its_journal(
    request_,
) -> None:
    journal = _Journal()
    before = carrier(journal)  # not subscribed: arms nothing
    shp = await before.create_shipment(request_)
    after, pushed = carrier(journal), list[str]()
    after.subscribe(pushed.append)
    await after.tracking(shp.shipment_id)  # the start-up resume's first poll
    await asyncio.sleep(0.4)
    assert pushed == ["o-1", "o-1"]
    assert before.push._armed == set()


async def test_a_listener_that_fails_does_not_stop_the_next_push(request_) -> None:
    sbx, calls = carrier(), list[str]()

    def flaky(order_id: str) -> None:
        calls.append(order_id)
        raise RuntimeError("listener bug")

    sbx.subscribe(flaky)
    await sbx.create_shipment(request_)
    await asyncio.sleep(0.4)
    assert calls == ["o-1", "o-1"]
