"""Public contracts of the orders service: RPC requests/replies and event payloads.

Amounts are decimal strings in the stated ISO 4217 currency, rounded half-up to the minor unit.
Events carry ids and business facts only: never names, emails, phone numbers or addresses.
Owned by the orders service; changes are additive only (a breaking change is a new `...v2`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.bounds import CodeStr, IdStr
from shared.contracts.carts import MAX_WIRE_LINES, CartLineIn
from shared.contracts.registry import event


# -- subjects ------------------------------------------------------------------------------
class Subjects:
    """The request-reply subjects of the orders service (`rpc.orders.<operation>`)."""

    CATALOGUE = "rpc.orders.catalogue"
    OFFER = "rpc.orders.offer"
    QUOTE = "rpc.orders.quote"
    GET_QUOTE = "rpc.orders.get_quote"
    PLACE_ORDER = "rpc.orders.place_order"
    GET_ORDER = "rpc.orders.get_order"
    LIST_ORDERS = "rpc.orders.list_orders"
    CANCEL_ORDER = "rpc.orders.cancel_order"
    JOIN_WAITLIST = "rpc.orders.join_waitlist"
    SET_LISTING = "rpc.orders.set_listing"
    REPLENISH = "rpc.orders.replenish"
    REPLACEMENT_STOCK = "rpc.orders.replacement_stock"
    RESERVE_REPLACEMENT = "rpc.orders.reserve_replacement"
    RELEASE_REPLACEMENT = "rpc.orders.release_replacement"


Region = Literal["US", "UK", "EU"]
Amount = str
_AMOUNT_DESC = "Decimal string in `currency`, rounded half-up to the minor unit."


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- catalogue -----------------------------------------------------------------------------
class CatalogueRequest(_Request):
    """Browse a region's catalogue (any region; the region is the customer's choice)."""

    region: Region = Field(description="Region whose offers to show.", examples=["UK"])


class OfferRequest(_Request):
    style: str = Field(description="Style code.", examples=["TC11"], min_length=2, max_length=16)
    region: Region = Field(description="Customer's region.", examples=["UK"])


class QuoteLineOut(BaseModel):
    """One line of a landed-cost breakdown."""

    kind: Literal["goods", "shipping", "duty", "vat", "vat_included"] = Field(
        description="`vat_included` is informational: already inside the goods price."
    )
    description: str = Field(description="Human-readable label of the line.")
    amount: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])
    unit_price: Amount | None = Field(default=None, description="Goods: price of one unit.")
    quantity: int | None = Field(default=None, description="Goods: number of units.")
    rate: str | None = Field(default=None, description="Duty/VAT rate applied, e.g. `0.20`.")
    base: Amount | None = Field(default=None, description="Amount the rate was applied to.")


class FxOut(BaseModel):
    """The locked conversion rate: snapshot rate x (1 + conversion margin)."""

    source: str = Field(description="Currency converted from.", examples=["USD"])
    target: str = Field(description="Currency converted to.", examples=["GBP"])
    rate: str = Field(description="Rate applied (target per source).", examples=["0.7752"])
    snapshot_rate: str = Field(description="Published mid rate.", examples=["0.7600"])
    margin: str = Field(description="Conversion margin.", examples=["0.02"])
    as_of: date = Field(description="Date of the FX snapshot.")


class OfferOut(BaseModel):
    """What a customer in `region` is offered for one style."""

    style: str = Field(description="Style code.", examples=["TC11"])
    name: str = Field(description="Product name.")
    category: str = Field(description="Product category.")
    colour: str = Field(description="Colour.")
    region: str = Field(description="Customer's region.")
    kind: Literal["local", "cross_region", "unavailable"] = Field(
        description="local: listed in the region; cross_region: ships from another region; "
        "unavailable: see `reason_code`."
    )
    warehouse: str | None = Field(default=None, description="Fulfilling warehouse.")
    ships_from_region: str | None = Field(default=None, description="Region it ships from.")
    price: Amount | None = Field(default=None, description="Price of one unit, landed.")
    currency: str | None = Field(default=None, description="Currency of `price`.")
    lines: list[QuoteLineOut] = Field(default_factory=list, description="Landed cost, one unit.")
    fx: FxOut | None = Field(default=None, description="Rate used when converted.")
    delivery_days_min: int | None = Field(default=None, description="Delivery estimate, days.")
    delivery_days_max: int | None = Field(default=None, description="Delivery estimate, days.")
    available: int = Field(default=0, description="Units available at the warehouse now.")
    reason_code: Literal["restricted_material", "not_shipped_to_region"] | None = Field(
        default=None, description="Why unavailable."
    )
    reason: str | None = Field(default=None, description="Why unavailable, for the customer.")


class CatalogueReply(BaseModel):
    region: str = Field(description="Region shown.")
    currency: str = Field(description="Region's currency.")
    offers: list[OfferOut] = Field(description="One offer per style.")


# -- quotes --------------------------------------------------------------------------------
class QuoteRequest(_Request):
    """Ask for a landed-cost quote; valid 30 minutes. The customer comes from the caller.

    Either one `style` (with `quantity`) or a cart of `lines` (shared/contracts/carts.py), not
    both: a cart is answered with a `CartQuoteOut`."""

    style: str | None = Field(
        default=None,
        description="Style code (single-style quote).",
        examples=["TC11"],
        min_length=2,
        max_length=16,
    )
    lines: list[CartLineIn] | None = Field(
        default=None,
        max_length=MAX_WIRE_LINES,
        description="Cart lines, each a distinct style (cart quote; up to 20 lines).",
    )
    region: Region = Field(description="Customer's region (delivery region).", examples=["UK"])
    quantity: int = Field(default=1, ge=1, le=20, description="Units.")
    request_id: str | None = Field(
        default=None,
        max_length=128,
        description="Stable id of the logical request (the gateway derives it from the caller and "
        "the Idempotency-Key): a retry with the same id returns the quote it created.",
    )


class GetQuoteRequest(_Request):
    quote_id: str = Field(description="Quote id.", min_length=1, max_length=64)


class CustomsOut(BaseModel):
    """Customs declaration sent to the carrier (delivered duty paid)."""

    hs_code: str = Field(description="Harmonized System code.", examples=["4202.32"])
    origin_country: str = Field(description="ISO country of origin.", examples=["VN"])
    quantity: int = Field(description="Units declared.")
    declared_value: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])
    currency: str = Field(description="Currency of the declared value.")
    incoterm: str = Field(description="Always DDP: nothing is due on delivery.", examples=["DDP"])


class QuoteOut(BaseModel):
    """A landed-cost quote: lines, total, the rate used and its expiry."""

    quote_id: str = Field(description="Quote id (use it to place the order).")
    customer_id: str | None = Field(default=None, description="Customer the quote is for.")
    agent_id: str | None = Field(default=None, description="Agent who asked, if any.")
    region: str = Field(description="Delivery region.")
    style: str = Field(description="Style code.")
    name: str = Field(description="Product name.")
    quantity: int = Field(description="Units.")
    offer_kind: Literal["local", "cross_region"] = Field(description="How it is fulfilled.")
    warehouse: str = Field(description="Fulfilling warehouse.")
    ships_from_region: str = Field(description="Region it ships from.")
    currency: str = Field(description="Currency of every amount.")
    lines: list[QuoteLineOut] = Field(description="Goods, shipping, duty, VAT.")
    total: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])
    tax_treatment: str = Field(
        description="none | prices_include_vat | low_value_vat | duty_and_import_vat."
    )
    fx: FxOut | None = Field(default=None, description="Locked rate when converted.")
    delivery_days_min: int = Field(description="Delivery estimate, days.")
    delivery_days_max: int = Field(description="Delivery estimate, days.")
    customs: CustomsOut = Field(description="Customs data for the shipment.")
    created_at: datetime = Field(description="When quoted.")
    expires_at: datetime = Field(description="Quote expiry (30 minutes after creation).")


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
    reason_code: str = Field(description="payment_declined, out_of_stock, quote_expired...")
    advice_code: str = Field(
        description="use_another_card, try_again_later, join_waitlist, request_new_quote, "
        "contact_support."
    )
    message: str = Field(description="What happened and what the customer can do.")


class ShipmentOut(BaseModel):
    shipment_id: str = Field(description="Carrier's shipment id.")
    tracking_number: str = Field(description="Tracking number.")
    carrier: str = Field(description="Carrier.")


class TimelineEntryOut(BaseModel):
    status: str = Field(description="Status reached.")
    at: datetime = Field(description="When.")


class OrderOut(BaseModel):
    """An order with its locked quote, saga status and what happened so far."""

    order_id: str = Field(description="Order id.")
    customer_id: str = Field(description="Customer the order belongs to.")
    agent_id: str | None = Field(default=None, description="Agent who placed it, if any.")
    status: str = Field(description="pending, payment_authorized, ... delivered, failed...")
    quote: QuoteOut = Field(description="The accepted quote (prices are locked).")
    failure: FailureOut | None = Field(default=None, description="Why it failed.")
    shipment: ShipmentOut | None = Field(default=None, description="Shipment, once created.")
    reservation_id: str | None = Field(default=None, description="Stock reservation.")
    compensations_done: list[str] = Field(default_factory=list, description="Undo steps run.")
    timeline: list[TimelineEntryOut] = Field(description="Statuses in order.")
    created_at: datetime = Field(description="When placed.")


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


# -- events --------------------------------------------------------------------------------
@event("orders.quote.created")
class QuoteCreated(BaseModel):
    """A landed-cost quote was issued."""

    quote_id: str = Field(description="Quote id.")
    customer_id: str | None = Field(default=None, description="Customer id.")
    agent_id: str | None = Field(default=None, description="Agent id, if an agent asked.")
    region: str = Field(description="Delivery region.")
    style: str = Field(description="Style code.")
    quantity: int = Field(description="Units.")
    offer_kind: str = Field(description="local or cross_region.")
    warehouse: str = Field(description="Fulfilling warehouse.")
    currency: str = Field(description="Currency.")
    total: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])
    fx_rate: str | None = Field(default=None, description="Locked FX rate, if converted.")
    fx_as_of: date | None = Field(default=None, description="FX snapshot date.")
    expires_at: datetime = Field(description="Quote expiry.")


class OrderItem(BaseModel):
    style: str = Field(description="Style code.")
    name: str = Field(description="Product name.")
    quantity: int = Field(description="Units.")
    unit_price: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])


class OrderFacts(BaseModel):
    """Facts every order event carries."""

    order_id: str = Field(description="Order id.")
    status: str = Field(description="Order status after this event.")
    quote_id: str = Field(description="Accepted quote.")
    customer_id: str = Field(description="Customer id.")
    agent_id: str | None = Field(default=None, description="Agent who placed it, if any.")
    region: str = Field(description="Delivery region.")
    style: str = Field(description="Style code.")
    quantity: int = Field(description="Units.")
    offer_kind: str = Field(description="local or cross_region.")
    warehouse: str = Field(description="Fulfilling warehouse.")
    currency: str = Field(description="Currency of amounts.")
    total: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])


@event("orders.order.placed", partner_visible=True)
class OrderPlaced(OrderFacts):
    """An order was placed (pending: payment not yet authorized)."""

    items: list[OrderItem] = Field(description="Lines ordered.")
    ships_from_region: str = Field(description="Region it ships from.")
    duties_included: bool = Field(description="Import VAT/duty collected at checkout (DDP).")
    delivery_days_min: int = Field(description="Delivery estimate, days.")
    delivery_days_max: int = Field(description="Delivery estimate, days.")


@event("orders.order.payment_authorized", partner_visible=True)
class OrderPaymentAuthorized(OrderFacts):
    """The customer's card was authorized for the total."""

    authorization_id: str = Field(description="Payment provider's authorization id.")
    amount: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])


@event("orders.order.stock_reserved", partner_visible=True)
class OrderStockReserved(OrderFacts):
    """Units were reserved at the fulfilling warehouse."""

    reservation_id: str = Field(description="Reservation id.")


@event("orders.order.shipment_created", partner_visible=True)
class OrderShipmentCreated(OrderFacts):
    """The shipment was booked with its customs data."""

    shipment_id: str = Field(description="Carrier's shipment id.")
    tracking_number: str = Field(description="Tracking number.")
    carrier: str = Field(description="Carrier.")
    customs: CustomsOut = Field(description="Customs declaration (DDP).")


@event("orders.order.confirmed", partner_visible=True)
class OrderConfirmed(OrderFacts):
    """Paid (authorized), reserved and booked: the order will ship."""

    ships_from: str = Field(description="Warehouse it ships from.")
    ships_from_region: str = Field(description="Region it ships from.")
    delivery_from: date = Field(description="Earliest expected delivery.")
    delivery_to: date = Field(description="Latest expected delivery.")


@event("orders.order.shipped", partner_visible=True)
class OrderShipped(OrderFacts):
    """The parcel is with the carrier; payment was captured."""

    shipment_id: str | None = Field(default=None, description="Carrier's shipment id.")
    carrier: str | None = Field(default=None, description="Carrier.")
    tracking_number: str | None = Field(default=None, description="Tracking number.")
    delivery_to: date | None = Field(default=None, description="Latest expected delivery.")


@event("orders.order.delivered", partner_visible=True)
class OrderDelivered(OrderFacts):
    """The carrier reported delivery."""

    tracking_number: str | None = Field(default=None, description="Tracking number.")
    delivered_on: date = Field(description="Delivery date.")


@event("orders.order.failed", partner_visible=True)
class OrderFailed(OrderFacts):
    """The order could not complete; completed steps are being undone."""

    reason_code: str = Field(
        description="payment_declined, payment_unavailable, out_of_stock, "
        "quote_expired, carrier_refused."
    )
    advice_code: str = Field(
        description="What the customer can do: use_another_card, try_again_later, join_waitlist, "
        "request_new_quote, contact_support."
    )
    message: str = Field(description="Customer-facing explanation and next step.")
    amount_released: Amount | None = Field(default=None, description="Card hold released.")
    compensations: list[str] = Field(description="Undo steps owed, in order.")


@event("orders.order.cancelled", partner_visible=True)
class OrderCancelled(OrderFacts):
    """The order was cancelled before shipping; completed steps are being undone."""

    cancelled_by: str | None = Field(default=None, description="customer, agent or system.")
    amount_released: Amount | None = Field(default=None, description="Card hold released.")
    compensations: list[str] = Field(description="Undo steps owed, in order.")


@event("orders.order.refunded", partner_visible=True)
class OrderRefunded(OrderFacts):
    """Captured money was refunded."""

    refund_id: str = Field(description="Refund id.")
    refund_amount: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])


@event("orders.listing.changed", partner_visible=True)
class ListingChanged(BaseModel):
    """A style was listed (or delisted) in a region."""

    style: str = Field(description="Style code.")
    region: str = Field(description="Region.")
    listed: bool = Field(description="True when now listed.")
    price: Amount | None = Field(default=None, description="New price, when listed.")
    currency: str | None = Field(default=None, description="Currency of the price.")


@event("orders.stock.replenished")
class StockReplenished(BaseModel):
    """A style came back in stock at a warehouse."""

    style: str = Field(description="Style code.")
    warehouse: str = Field(description="Warehouse.")
    region: str = Field(description="Warehouse's region.")
    available: int = Field(description="Units available now.")


@event("orders.waitlist.available")
class WaitlistAvailable(BaseModel):
    """A style a customer waitlisted can now be ordered in their region."""

    entry_id: str = Field(description="Waitlist entry id.")
    customer_id: str = Field(description="Customer id.")
    style: str = Field(description="Style code.")
    item_name: str = Field(description="Product name.")
    region: str = Field(description="Region.")
    reason: Literal["listed", "back_in_stock"] = Field(description="Why it is available now.")
    price: Amount | None = Field(default=None, description="Unit price (landed) in the region.")
    currency: str | None = Field(default=None, description="Currency of the price.")
