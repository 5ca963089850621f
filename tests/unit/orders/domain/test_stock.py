from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.orders.domain.errors import InsufficientStock, InvalidQuantity
from services.orders.domain.stock import ReservationStatus, StockLevel, reserve
from shared.errors import InvalidTransition


def level(on_hand: int = 10) -> StockLevel:
    return StockLevel("US-NJ", "TC11", on_hand)


def test_reserve_and_release_is_idempotent(now: datetime) -> None:
    lv = level(3)
    res = reserve(lv, reservation_id="r1", owner_id="o1", quantity=2, now=now)
    assert lv.available == 1 and res.status is ReservationStatus.HELD
    assert res.release(lv) is True
    assert res.release(lv) is False  # second run: no-op
    assert lv.available == 3 and lv.reserved == 0


def test_cannot_reserve_more_than_available(now: datetime) -> None:
    lv = level(1)
    with pytest.raises(InsufficientStock) as err:
        reserve(lv, reservation_id="r1", owner_id="o1", quantity=2, now=now)
    assert err.value.details["available"] == 1
    assert lv.reserved == 0


def test_quantity_must_be_positive(now: datetime) -> None:
    with pytest.raises(InvalidQuantity):
        reserve(level(), reservation_id="r", owner_id="o", quantity=0, now=now)


def test_commit_ships_units_and_blocks_release(now: datetime) -> None:
    lv = level(5)
    res = reserve(lv, reservation_id="r", owner_id="o", quantity=2, now=now)
    assert res.commit(lv) is True and res.commit(lv) is False
    assert lv.on_hand == 3 and lv.reserved == 0
    with pytest.raises(InvalidTransition):
        res.release(lv)


def test_replenish_reports_back_in_stock(now: datetime) -> None:
    lv = level(1)
    reserve(lv, reservation_id="r", owner_id="o", quantity=1, now=now)
    assert lv.replenish(5) is True
    assert lv.replenish(5) is False


@given(st.integers(0, 20), st.lists(st.integers(1, 5), max_size=40))
def test_never_oversold(on_hand: int, requests: list[int]) -> None:
    lv = level(on_hand)
    granted = 0
    for i, qty in enumerate(requests):
        try:
            reserve(lv, reservation_id=f"r{i}", owner_id=f"o{i}", quantity=qty, now=NOW)
            granted += qty
        except InsufficientStock:
            pass
        assert 0 <= lv.available
    assert granted == lv.reserved <= on_hand


NOW = datetime.fromisoformat("2026-11-23T17:00:00+00:00")
