"""Stock levels and reservations: what a reservation records, what each refusal names, and when
a replenishment makes a sold-out style available again (the waitlist is told then, once).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from services.orders.domain.errors import InsufficientStock, InvalidQuantity
from services.orders.domain.stock import StockLevel, reserve
from shared.errors import InvalidTransition


def level(on_hand: int, reserved: int = 0) -> StockLevel:
    return StockLevel("US-NJ", "TC11", on_hand, reserved)


def test_a_reservation_records_who_holds_what_where_and_when(now: datetime):
    held = reserve(level(5), reservation_id="res-1", owner_id="o-1", quantity=2, now=now)
    assert (held.reservation_id, held.owner_id, held.warehouse, held.style) == (
        "res-1", "o-1", "US-NJ", "TC11",
    )  # fmt: skip
    assert (held.quantity, held.created_at, held.purpose) == (2, now, "order")
    replacement = reserve(level(5), reservation_id="res-2", owner_id="cl-1", quantity=1, now=now,
                          purpose="warranty_replacement")  # fmt: skip
    assert replacement.purpose == "warranty_replacement"


def test_too_few_units_names_the_shortfall(now: datetime):
    with pytest.raises(InsufficientStock) as err:
        reserve(level(2, reserved=2), reservation_id="r", owner_id="o", quantity=1, now=now)
    assert err.value.details == {"warehouse": "US-NJ", "style": "TC11", "requested": 1,
                                 "available": 0}  # fmt: skip
    assert "only 0 of TC11 available at US-NJ" in str(err.value)


def test_a_quantity_below_one_is_refused_naming_it():
    with pytest.raises(InvalidQuantity) as err:
        level(5).reserve(0)
    assert err.value.details == {"quantity": 0}
    assert "at least 1" in str(err.value)


@pytest.mark.parametrize(
    ("on_hand", "reserved", "added", "back_in_stock", "available_after"),
    [
        (0, 0, 1, True, 1),  # sold out, one unit back
        (1, 0, 3, False, 4),  # never sold out
        (5, 7, 2, False, 0),  # over-held: still none to sell
        (5, 7, 3, True, 1),
    ],
)
def test_replenishing_tells_when_a_sold_out_style_is_back(
    on_hand, reserved, added, back_in_stock, available_after
):
    stock = level(on_hand, reserved)
    assert stock.replenish(added) is back_in_stock
    assert stock.available == available_after
    assert stock.on_hand == on_hand + added


def test_releasing_shipped_units_or_shipping_released_ones_is_refused(now: datetime):
    stock = level(5)
    shipped = reserve(stock, reservation_id="res-s", owner_id="o-1", quantity=1, now=now)
    shipped.commit(stock)
    with pytest.raises(InvalidTransition) as err:
        shipped.release(stock)
    assert err.value.details == {"reservation_id": "res-s"}
    assert "already shipped" in str(err.value)
    released = reserve(stock, reservation_id="res-r", owner_id="o-2", quantity=1, now=now)
    released.release(stock)
    with pytest.raises(InvalidTransition) as err:
        released.commit(stock)
    assert err.value.details == {"reservation_id": "res-r"}
    assert "cannot ship" in str(err.value)
