"""Stock reservation rules (pure). The database adapter applies the same rule atomically:

    UPDATE stock SET reserved = reserved + :q
     WHERE warehouse = :w AND style = :s AND on_hand - reserved >= :q

so concurrent orders for the last units can never reserve more than exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.orders.domain.errors import InsufficientStock, InvalidQuantity
from shared.errors import InvalidTransition


class ReservationStatus(StrEnum):
    HELD = "held"
    RELEASED = "released"  # compensation: units are available again
    COMMITTED = "committed"  # the parcel left the warehouse: units are gone


@dataclass
class StockLevel:
    warehouse: str
    style: str
    on_hand: int
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def can_reserve(self, quantity: int) -> bool:
        return quantity >= 1 and self.available >= quantity

    def reserve(self, quantity: int) -> None:
        _positive(quantity)
        if not self.can_reserve(quantity):
            raise InsufficientStock(
                f"only {self.available} of {self.style} available at {self.warehouse}",
                details={
                    "warehouse": self.warehouse,
                    "style": self.style,
                    "requested": quantity,
                    "available": max(self.available, 0),
                },
            )
        self.reserved += quantity

    def unreserve(self, quantity: int) -> None:
        _positive(quantity)
        self.reserved = max(self.reserved - quantity, 0)

    def ship(self, quantity: int) -> None:
        """Reserved units leave the building."""
        _positive(quantity)
        self.reserved = max(self.reserved - quantity, 0)
        self.on_hand -= quantity

    def replenish(self, quantity: int) -> bool:
        """Add units; True when the style went from unavailable to available (waitlist)."""
        _positive(quantity)
        was_out = self.available <= 0
        self.on_hand += quantity
        return was_out and self.available > 0


@dataclass
class Reservation:
    reservation_id: str
    owner_id: str  # the order (or warranty claim, for a replacement item) holding the units
    warehouse: str
    style: str
    quantity: int
    created_at: datetime
    status: ReservationStatus = ReservationStatus.HELD
    purpose: str = "order"  # "order" | "warranty_replacement"

    def release(self, level: StockLevel) -> bool:
        """Give the units back. Safe to run twice: a released reservation is a no-op (False)."""
        if self.status is ReservationStatus.RELEASED:
            return False
        if self.status is ReservationStatus.COMMITTED:
            raise InvalidTransition(
                "units already shipped cannot be released",
                details={"reservation_id": self.reservation_id},
            )
        level.unreserve(self.quantity)
        self.status = ReservationStatus.RELEASED
        return True

    def commit(self, level: StockLevel) -> bool:
        if self.status is ReservationStatus.COMMITTED:
            return False
        if self.status is ReservationStatus.RELEASED:
            raise InvalidTransition(
                "a released reservation cannot ship",
                details={"reservation_id": self.reservation_id},
            )
        level.ship(self.quantity)
        self.status = ReservationStatus.COMMITTED
        return True


def reserve(
    level: StockLevel,
    *,
    reservation_id: str,
    owner_id: str,
    quantity: int,
    now: datetime,
    purpose: str = "order",
) -> Reservation:
    """Hold `quantity` units for an owner, or raise InsufficientStock leaving the level unchanged."""
    level.reserve(quantity)
    return Reservation(
        reservation_id, owner_id, level.warehouse, level.style, quantity, now, purpose=purpose
    )


def _positive(quantity: int) -> None:
    if quantity < 1:
        raise InvalidQuantity("quantity must be at least 1", details={"quantity": quantity})
