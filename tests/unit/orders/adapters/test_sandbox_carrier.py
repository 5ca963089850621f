from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.orders.adapters.providers.sandbox_carrier import SandboxCarrierProvider
from services.orders.domain.errors import CarrierRefused, ShipmentNotCancellable, UnknownShipment
from services.orders.domain.ports import CarrierProvider, ShipmentRequest, TrackingStatus
from services.orders.domain.quotes import create_quote
from shared.clock import FixedClock
from shared.errors import Conflict


@pytest.fixture
def request_(ref, now) -> ShipmentRequest:
    q = create_quote(ref, quote_id="q", style="TC11", region="UK", quantity=1, now=now)
    return ShipmentRequest("o-1", q.warehouse, "UK", q.customs, "o-1:shipment")


def carrier(now: datetime, **kw) -> tuple[SandboxCarrierProvider, FixedClock]:
    clock = FixedClock(now)
    provider = SandboxCarrierProvider(
        clock, in_transit_after=timedelta(minutes=1), delivered_after=timedelta(minutes=5), **kw
    )
    return provider, clock


async def test_tracking_follows_the_schedule(request_, now) -> None:
    sbx, clock = carrier(now)
    c: CarrierProvider = sbx
    shp = await c.create_shipment(request_)
    assert [u.status for u in await c.tracking(shp.shipment_id)] == [TrackingStatus.LABEL_CREATED]
    clock.advance(timedelta(minutes=1))
    assert (await c.tracking(shp.shipment_id))[-1].status is TrackingStatus.IN_TRANSIT
    clock.advance(timedelta(minutes=4))
    updates = await c.tracking(shp.shipment_id)
    assert [u.status for u in updates] == [
        TrackingStatus.LABEL_CREATED,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.DELIVERED,
    ]
    assert updates[-1].at == now + timedelta(minutes=5)


async def test_customs_data_is_booked(request_) -> None:
    sbx, _ = carrier(datetime.fromisoformat("2026-11-23T17:00:00+00:00"))
    shp = await sbx.create_shipment(request_)
    customs = sbx.request_for(shp.shipment_id).customs
    assert (customs.hs_code, customs.origin_country, customs.incoterm) == ("4202.32", "VN", "DDP")
    assert str(customs.declared_value) == "60.47 GBP"


async def test_same_key_same_shipment_and_cancel_is_idempotent(request_, now) -> None:
    sbx, _ = carrier(now)
    a = await sbx.create_shipment(request_)
    assert await sbx.create_shipment(request_) == a
    await sbx.cancel(a.shipment_id)
    await sbx.cancel(a.shipment_id)
    assert sbx.is_cancelled(a.shipment_id)
    assert (await sbx.tracking(a.shipment_id))[-1].status is TrackingStatus.CANCELLED


async def test_refusal(request_, now) -> None:
    sbx, _ = carrier(now, refuse_destinations=frozenset({"UK"}))
    with pytest.raises(CarrierRefused):
        await sbx.create_shipment(request_)


async def test_delivered_cannot_be_cancelled(request_, now) -> None:
    sbx, clock = carrier(now)
    shp = await sbx.create_shipment(request_)
    clock.advance(timedelta(hours=1))
    with pytest.raises(Conflict):
        await sbx.cancel(shp.shipment_id)


async def test_a_parcel_in_transit_cannot_be_cancelled(request_, now) -> None:
    """A cancel that succeeds means the parcel never moves: the order saga relies on it."""
    sbx, clock = carrier(now)
    shp = await sbx.create_shipment(request_)
    clock.advance(timedelta(minutes=1))
    with pytest.raises(ShipmentNotCancellable) as refused:
        await sbx.cancel(shp.shipment_id)
    assert refused.value.code == "carrier_cannot_cancel" and refused.value.kind == "conflict"
    assert not sbx.is_cancelled(shp.shipment_id)


async def test_unknown_shipment(now) -> None:
    sbx, _ = carrier(now)
    with pytest.raises(UnknownShipment):
        await sbx.tracking("nope")
