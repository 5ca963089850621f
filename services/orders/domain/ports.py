"""Ports to the outside world: payment, carrier, FX and the return label printer. Sandboxes
implement them by default (services/orders/adapters/providers/); a real provider plugs in
through settings.

Every call that changes something at the provider is idempotent: payment calls carry an
idempotency key, and void/cancel of something already voided/cancelled succeeds without effect,
so a saga compensation can always be run twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from services.orders.domain.money import FxSnapshot, Money
from services.orders.domain.quotes import CustomsDeclaration

if TYPE_CHECKING:
    from services.orders.domain.return_labels import ReturnLabelSheet


class AuthorizationStatus(StrEnum):
    AUTHORIZED = "authorized"
    VOIDED = "voided"
    CAPTURED = "captured"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class Authorization:
    authorization_id: str
    amount: Money
    status: AuthorizationStatus


class PaymentProvider(Protocol):
    async def authorize(self, amount: Money, token: str, idempotency_key: str) -> Authorization:
        """Hold `amount` on the card. Raises PaymentDeclined, or PaymentTimeout (then retry
        with the same idempotency key: the provider returns the first result, never a second
        charge)."""
        ...

    async def find(self, idempotency_key: str) -> Authorization | None:
        """The authorization made under this key, if any (after giving up on timeouts, so a
        hold the provider did make can still be voided)."""
        ...

    async def void(self, authorization_id: str) -> None:
        """Release an uncaptured authorization; voiding twice is a no-op."""
        ...

    async def capture(self, authorization_id: str) -> str:
        """Take the authorized money; returns a capture id (same id when repeated)."""
        ...

    async def refund(self, authorization_id: str) -> str:
        """Give captured money back; returns a refund id (same id when repeated)."""
        ...

    async def refund_part(self, authorization_id: str, amount: Money, idempotency_key: str) -> str:
        """Give back `amount` of captured money (a return's refund); returns a refund id.

        Repeating a call with the same idempotency key returns the first refund id and pays
        nothing more (IdempotencyMismatch if the amount differs); the refunds of one
        authorization never add up to more than was captured (payment_refund_exceeds_capture).
        """
        ...


@dataclass(frozen=True, slots=True)
class ShipmentRequest:
    order_id: str
    from_warehouse: str
    to_region: str
    customs: CustomsDeclaration
    idempotency_key: str
    more_customs: tuple[CustomsDeclaration, ...] = ()  # a cart parcel's further lines


@dataclass(frozen=True, slots=True)
class Shipment:
    shipment_id: str
    tracking_number: str
    carrier: str


class TrackingStatus(StrEnum):
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class TrackingUpdate:
    shipment_id: str
    status: TrackingStatus
    at: datetime


RETURNED_GOODS = "returned_goods"  # the customs procedure of a return parcel


@dataclass(frozen=True, slots=True)
class ReturnedGoods:
    """One line of a return parcel's customs data: the goods go back to where they were exported
    from, declared as returned goods (no sale, no duty), referring to the original shipment."""

    hs_code: str
    origin_country: str
    description: str
    quantity: int
    declared_value: Money  # what the customer paid for these units (goods only)
    procedure: str = RETURNED_GOODS


@dataclass(frozen=True, slots=True)
class ReturnLabelRequest:
    """A free, prepaid return label from the customer's region back to the warehouse."""

    return_id: str
    order_id: str
    from_region: str
    to_warehouse: str
    original_tracking_number: str | None  # the outbound shipment the goods left with
    customs: tuple[ReturnedGoods, ...]  # empty when the parcel crosses no border
    idempotency_key: str


class CarrierProvider(Protocol):
    async def create_shipment(self, request: ShipmentRequest) -> Shipment:
        """Book the shipment with its customs declaration (DDP). Raises CarrierRefused.
        Repeating a request with the same idempotency key returns the same shipment."""
        ...

    async def find(self, idempotency_key: str) -> Shipment | None:
        """The shipment booked under this key, if any."""
        ...

    async def cancel(self, shipment_id: str) -> None:
        """Cancel a booked shipment; cancelling twice is a no-op. Raises ShipmentNotCancellable
        once the parcel has left (in transit or delivered): from then on it never can be."""
        ...

    async def tracking(self, shipment_id: str) -> list[TrackingUpdate]:
        """Tracking updates so far, oldest first. For a return label: in transit once the
        customer has handed the parcel over, delivered once the carrier scans it in at the
        warehouse."""
        ...

    async def create_return_label(self, request: ReturnLabelRequest) -> Shipment:
        """Issue a prepaid return label (its customs data declared as returned goods). The same
        idempotency key returns the same label; it is tracked like a shipment."""
        ...


class ReturnLabelPrinter(Protocol):
    def render(self, sheet: ReturnLabelSheet) -> bytes:
        """The printable label (application/pdf) of one return parcel."""
        ...


class FxProvider(Protocol):
    def snapshot(self) -> FxSnapshot:
        """The current FX snapshot used for new quotes (issued quotes keep their rate)."""
        ...

    async def refresh(self) -> FxSnapshot:
        """Fetch a newer snapshot from the source and make it current."""
        ...
