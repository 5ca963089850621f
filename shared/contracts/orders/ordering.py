"""Orders, the waitlist, listings and stock: requests and replies of `rpc.orders.*`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.contracts.bounds import CodeStr, IdStr
from shared.contracts.carts import CartQuoteOut, CartQuoteView
from shared.contracts.orders.catalogue import QuoteOut, QuoteView
from shared.contracts.orders.subjects import Region, _Request


# -- orders --------------------------------------------------------------------------------
class PlaceOrderRequest(_Request):
    """Accept a quote and pay. Placing the same quote twice returns the same order."""

    quote_id: str = Field(description="Quote to accept.", min_length=1, max_length=64)
    payment_token: str = Field(
        description="Card token; sandbox: tok_ok, tok_declined, tok_timeout.",
        examples=["tok_ok"],
        min_length=1,
        max_length=200,
    )


class GetOrderRequest(_Request):
    order_id: str = Field(description="Order id.", min_length=1, max_length=64)


class CancelOrderRequest(GetOrderRequest):
    """Cancel before shipping; every completed step is undone."""


class ListOrdersRequest(_Request):
    limit: int = Field(default=50, ge=1, le=200, description="Most recent first.")
    after: dict[CodeStr, IdStr] | None = Field(
        default=None,
        max_length=4,
        description="Position returned as `next` by the previous page.",
    )


class FailureOut(BaseModel):
    reason_code: str = Field(
        description="payment_declined, out_of_stock, quote_expired...",
        examples=["payment_declined"],
    )
    advice_code: str = Field(
        description="use_another_card, try_again_later, join_waitlist, request_new_quote, "
        "contact_support.",
        examples=["use_another_card"],
    )
    message: str = Field(description="What happened and what the customer can do.")
    style: str | None = Field(
        default=None,
        description="The cart line (style) that stopped the order, e.g. the one that sold out; "
        "every other line was released with it.",
        examples=["VT02"],
    )


class ShipmentOut(BaseModel):
    shipment_id: str = Field(description="Carrier's shipment id.")
    tracking_number: str = Field(description="Tracking number.")
    carrier: str = Field(description="Carrier.")


class OrderShipmentOut(BaseModel):
    """One parcel of an order, tracked on its own (one per warehouse; one for a single style)."""

    warehouse: str = Field(description="Warehouse it leaves from.", examples=["US-NJ"])
    warehouse_name: str | None = Field(
        default=None, examples=["New Jersey, United States"],
        description="The warehouse's name, shown to people instead of its code.",
    )  # fmt: skip
    shipment_id: str = Field(description="Carrier's shipment id.")
    tracking_number: str = Field(description="Tracking number.")
    carrier: str = Field(description="Carrier.")
    status: str = Field(
        description="booked, in_transit, delivered or cancelled.", examples=["in_transit"]
    )
    shipped_at: datetime | None = Field(default=None, description="When it left the warehouse.")
    delivered_at: datetime | None = Field(default=None, description="When it was delivered.")
    returns_close_at: datetime | None = Field(
        default=None,
        description="Until when what this parcel brought can be sent back (its delivery and the "
        "return window); null until it is delivered.",
    )


class OrderLineOut(BaseModel):
    """One line of an order: a style bought, the warehouse its parcel leaves from, and how many
    of its units can still be sent back."""

    style: str = Field(description="Style code.", examples=["VT02"])
    name: str = Field(description="Product name, as it was quoted.")
    warehouse: str = Field(
        description="Warehouse its parcel leaves from (that parcel in `shipments`).",
        examples=["US-NJ"],
    )
    warehouse_name: str | None = Field(
        default=None, examples=["New Jersey, United States"],
        description="The warehouse's name, shown to people instead of its code.",
    )  # fmt: skip
    quantity: int = Field(description="Units bought.", examples=[2])
    returnable_quantity: int = Field(
        description="Units a return may still ask for, as the orders service counts them when "
        "it checks a return: none until the line's parcel is delivered, then the units bought "
        "less those in returns that still count (a cancelled or expired return gives its units "
        "back). Whether the return window is still open is the parcel's `returns_close_at`.",
        examples=[1],
    )


class TimelineEntryOut(BaseModel):
    status: str = Field(description="Status reached.")
    at: datetime = Field(description="When.")


class OrderTimeline(BaseModel):
    """Every status an order went through, with times."""

    order_id: str = Field(description="Order id.")
    status: str = Field(
        description="pending, payment_authorized, ... delivered, failed...", examples=["confirmed"]
    )
    timeline: list[TimelineEntryOut] = Field(description="Statuses in order.")


class OrderView(OrderTimeline):
    """An order as its customer sees it: the locked quote, saga status and what happened."""

    customer_id: str = Field(description="Customer the order belongs to.")
    agent_id: str | None = Field(
        default=None, description="Agent who placed it, if any (shown to agents only)."
    )
    quote: QuoteView = Field(description="The accepted quote (prices are locked).")
    failure: FailureOut | None = Field(default=None, description="Why it failed.")
    shipment: ShipmentOut | None = Field(
        default=None, description="Shipment, once created (a cart order's first parcel)."
    )
    created_at: datetime = Field(description="When placed.")
    cart: CartQuoteView | None = Field(
        default=None,
        description="A cart order: the accepted cart quote with every shipment (`quote` is then "
        "the cart's headline: its totals, its first line's style and warehouse).",
    )
    shipments: list[OrderShipmentOut] = Field(
        default_factory=list,
        description="Every booked parcel with its own status; the order is delivered when all are.",
    )
    lines: list[OrderLineOut] = Field(
        default_factory=list,
        description="Every line of the order (one for a single-style order), with the units "
        "that can still be sent back.",
    )


class OrderOut(OrderView):
    """The service's reply: the public order plus the saga's own bookkeeping."""

    quote: QuoteOut = Field(description="The accepted quote (prices are locked).")
    cart: CartQuoteOut | None = Field(default=None, description="The accepted cart quote.")
    reservation_id: str | None = Field(default=None, description="Stock reservation.")
    compensations_done: list[str] = Field(default_factory=list, description="Undo steps run.")
    placed_now: bool = Field(
        default=False,
        description="On a placement's reply: this request placed the order (false: the quote "
        "had been ordered before, and this is that order).",
    )


class OrderList(BaseModel):
    items: list[OrderOut] = Field(description="Orders, most recent first.")
    next: dict[str, str] | None = Field(default=None, description="Position of the next page.")


# -- waitlist, listings, stock ---------------------------------------------------------------
class JoinWaitlistRequest(_Request):
    """Be told when a style is listed (or back in stock) in a region."""

    style: str = Field(description="Style code.", examples=["PY01"], min_length=2, max_length=16)
    region: Region = Field(description="Region to be told about.", examples=["UK"])


class WaitlistReply(BaseModel):
    entry_id: str = Field(description="Waitlist entry id (same id when joined twice).")
    style: str = Field(description="Style code.")
    region: str = Field(description="Region.")


class SetListingRequest(_Request):
    """Operator: list a style in a region at a price, or delist it (price null)."""

    style: str = Field(description="Style code.", min_length=2, max_length=16)
    region: Region = Field(description="Region.")
    price: str | None = Field(
        max_length=32, description="Decimal price in the region's currency, or null."
    )


class ReplenishRequest(_Request):
    """Operator: add units at a warehouse."""

    warehouse: str = Field(description="Warehouse code.", examples=["US-NJ"], max_length=16)
    style: str = Field(description="Style code.", min_length=2, max_length=16)
    quantity: int = Field(ge=1, le=100000, description="Units added.")


class ReplacementStockRequest(_Request):
    """Warranty: how many replacement units a region's warehouse has."""

    region: Region = Field(description="Customer's region.")
    style: str = Field(description="Style code.", min_length=2, max_length=16)


class ReplacementStockReply(BaseModel):
    region: str = Field(description="Region.")
    style: str = Field(description="Style code.")
    warehouse: str = Field(description="The region's home warehouse.")
    available: int = Field(description="Units available now.")


class ReserveReplacementRequest(_Request):
    """Warranty: hold one replacement unit; `claim_id` makes it idempotent."""

    claim_id: str = Field(description="Warranty claim id.", min_length=1, max_length=64)
    region: Region = Field(description="Customer's region.")
    style: str = Field(description="Style code.", min_length=2, max_length=16)


class ReserveReplacementReply(BaseModel):
    claim_id: str = Field(description="Warranty claim id.")
    reservation_id: str = Field(description="Reservation id (same on retry).")
    warehouse: str = Field(description="Warehouse holding the unit.")


class ReleaseReplacementRequest(_Request):
    claim_id: str = Field(description="Warranty claim id.", min_length=1, max_length=64)


class ReleaseReplacementReply(BaseModel):
    released: bool = Field(description="False when nothing was held (or already released).")
