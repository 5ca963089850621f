"""A parcel's tracking status only moves forward, and a delivered or cancelled parcel stays so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.orders.domain.order_shipments import OrderShipment, ShipmentStatus

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def parcel() -> OrderShipment:
    return OrderShipment("us-east", "shp-1", "TRK-1", "sbx")


def test_a_parcel_moves_forward_and_records_when_it_shipped_and_arrived() -> None:
    p = parcel()
    assert p.advance(ShipmentStatus.IN_TRANSIT, T0)
    assert p.advance(ShipmentStatus.DELIVERED, T0 + timedelta(days=2))
    assert (p.status, p.shipped_at, p.delivered_at) == (
        ShipmentStatus.DELIVERED,
        T0,
        T0 + timedelta(days=2),
    )


def test_a_parcel_never_moves_back() -> None:
    p = parcel()
    p.advance(ShipmentStatus.IN_TRANSIT, T0)
    assert not p.advance(ShipmentStatus.BOOKED, T0)
    assert p.status is ShipmentStatus.IN_TRANSIT


@pytest.mark.parametrize("status", [ShipmentStatus.BOOKED, ShipmentStatus.IN_TRANSIT])
def test_an_open_parcel_can_be_cancelled(status: ShipmentStatus) -> None:
    p = parcel()
    p.advance(status, T0)
    assert p.advance(ShipmentStatus.CANCELLED, T0)
    assert not p.open


def test_a_delivered_parcel_is_not_cancelled_by_a_late_carrier_status() -> None:
    p = parcel()
    p.advance(ShipmentStatus.DELIVERED, T0)
    assert not p.advance(ShipmentStatus.CANCELLED, T0 + timedelta(hours=1))
    assert (p.status, p.delivered_at) == (ShipmentStatus.DELIVERED, T0)
