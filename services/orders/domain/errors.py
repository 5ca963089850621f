"""Errors of the orders domain, each with a stable code clients can switch on."""

from __future__ import annotations

from shared.errors import Conflict, DomainError, ErrorKind, NotFound


class UnknownRegion(NotFound):
    code = "catalogue_unknown_region"


class UnknownStyle(NotFound):
    code = "catalogue_unknown_style"


class NotAvailable(DomainError):
    """The style cannot be sold to this region; `details` carry the reason code."""

    code = "catalogue_not_available"
    kind = ErrorKind.CONFLICT


class InvalidQuantity(DomainError):
    code = "quote_invalid_quantity"


class MultipleShipments(DomainError):
    code = "quote_multiple_shipments"


class QuoteStyleOrLines(DomainError):
    """A quote request names one style (with a quantity) or a cart of lines, never both."""

    code = "quote_style_or_lines"


class QuoteQuantityWithLines(DomainError):
    """`quantity` belongs to a single-style quote; a cart gives each line its own quantity, so
    a cart request that also sends `quantity` is refused rather than silently ignoring it."""

    code = "quote_quantity_with_lines"


class QuoteExpired(DomainError):
    code = "quote_expired"
    kind = ErrorKind.GONE


class QuoteNotFound(NotFound):
    code = "quote_not_found"


class OrderNotFound(NotFound):
    code = "order_not_found"


class InsufficientStock(DomainError):
    code = "stock_insufficient"
    kind = ErrorKind.CONFLICT


class UnknownReservation(NotFound):
    code = "stock_unknown_reservation"


class PaymentDeclined(DomainError):
    code = "payment_declined"
    kind = ErrorKind.CONFLICT


class PaymentTimeout(DomainError):
    """The provider did not answer; retry with the same idempotency key."""

    code = "payment_timeout"
    kind = ErrorKind.UNAVAILABLE


class IdempotencyMismatch(DomainError):
    code = "payment_idempotency_mismatch"
    kind = ErrorKind.CONFLICT


class UnknownAuthorization(NotFound):
    code = "payment_unknown_authorization"


class CarrierRefused(DomainError):
    code = "carrier_refused"
    kind = ErrorKind.CONFLICT


class UnknownShipment(NotFound):
    code = "carrier_unknown_shipment"


class ShipmentNotCancellable(Conflict):
    """The parcel has left (in transit or delivered): the carrier can no longer cancel it."""

    code = "carrier_cannot_cancel"


class OrderAlreadyShipped(Conflict):
    """A cancel that came after the parcel left, though our copy of the tracking lagged."""

    code = "order_already_shipped"


class ConcurrentUpdate(Conflict):
    """The order was saved by someone else since it was read; read it again."""

    code = "order_concurrent_update"


class UnknownWarehouse(NotFound):
    code = "stock_unknown_warehouse"
