"""Orders: regional catalogue and offers, landed-cost quotes, orders (with live status), waitlist.

The region is always explicit (a query parameter or the request body): geo-IP may pre-select it
in a storefront, but the API never forces one, and any region's catalogue can be browsed.
Agents act for a customer by naming them (`customer_id`); the orders service records it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from services.gateway.auth import CustomerIdQuery, CustomerOrAgent, Principal, acting_customer
from services.gateway.errors import problem_responses
from services.gateway.idempotency import request_idempotency_key
from services.gateway.limits import Page, Paging
from services.gateway.models import RequestModel, ResponseModel
from services.gateway.routers._cart_views import (
    LINES_FIELD,
    CartLines,
    CartQuoteView,
    cart_lines_in,
)
from services.gateway.runtime import Rpc
from services.gateway.sse import Streams
from services.gateway.sse_docs import ORDER_EVENTS_RESPONSE, STREAM_ERRORS
from shared.contracts import orders as c

if TYPE_CHECKING:
    from shared.actor import Actor

router = APIRouter(prefix="/v1", tags=["orders"])

RegionQuery = Annotated[
    Literal["US", "UK", "EU"], Query(description="Customer's region (their choice).")
]
Style = Annotated[str, Path(max_length=16, pattern=r"^[A-Za-z0-9]+$", examples=["TC11"])]
Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
READ_ERRORS = problem_responses(401, 404, 422, 503, 504)
WRITE_ERRORS = problem_responses(401, 404, 409, 410, 422, 503, 504)


# Response models ----------------------------------------------------------------------------
class LineOut(ResponseModel):
    kind: str = Field(examples=["goods"], description="goods, shipping, duty, vat, vat_included")
    description: str
    amount: str = Field(examples=["60.47"])
    unit_price: str | None = None
    quantity: int | None = None
    rate: str | None = Field(default=None, examples=["0.20"])
    base: str | None = None


class FxOut(ResponseModel):
    source: str = Field(examples=["USD"])
    target: str = Field(examples=["GBP"])
    rate: str = Field(examples=["0.7752"], description="Snapshot rate x (1 + margin).")
    snapshot_rate: str = Field(examples=["0.7600"])
    margin: str = Field(examples=["0.02"])
    as_of: date


class OfferView(ResponseModel):
    style: str = Field(examples=["TC11"])
    name: str
    category: str
    colour: str
    region: str = Field(examples=["UK"])
    kind: str = Field(examples=["cross_region"], description="local, cross_region, unavailable")
    warehouse: str | None = Field(default=None, examples=["US-NJ"])
    ships_from_region: str | None = None
    price: str | None = Field(default=None, examples=["95.82"], description="Landed, one unit.")
    currency: str | None = None
    lines: list[LineOut] = []
    fx: FxOut | None = None
    delivery_days_min: int | None = None
    delivery_days_max: int | None = None
    available: int = 0
    reason_code: str | None = Field(default=None, examples=["restricted_material"])
    reason: str | None = None


class CatalogueView(ResponseModel):
    region: str = Field(examples=["UK"])
    currency: str = Field(examples=["GBP"])
    offers: list[OfferView]


class CustomsView(ResponseModel):
    hs_code: str = Field(examples=["4202.32"])
    origin_country: str = Field(examples=["VN"])
    quantity: int
    declared_value: str
    currency: str
    incoterm: str = Field(examples=["DDP"])


class QuoteView(ResponseModel):
    quote_id: str
    region: str
    style: str
    name: str
    quantity: int
    offer_kind: str
    warehouse: str
    ships_from_region: str
    currency: str = Field(examples=["GBP"])
    lines: list[LineOut]
    total: str = Field(examples=["95.82"])
    tax_treatment: str = Field(examples=["low_value_vat"])
    fx: FxOut | None = None
    delivery_days_min: int
    delivery_days_max: int
    customs: CustomsView
    created_at: datetime
    expires_at: datetime


class FailureView(ResponseModel):
    reason_code: str = Field(examples=["payment_declined"])
    advice_code: str = Field(examples=["use_another_card"])
    message: str


class ShipmentView(ResponseModel):
    shipment_id: str
    tracking_number: str
    carrier: str


class TimelineEntryView(ResponseModel):
    status: str
    at: datetime


class OrderView(ResponseModel):
    order_id: str
    customer_id: str
    placed_by_agent: bool = Field(description="An agent placed it on the customer's behalf.")
    agent_id: str | None = Field(default=None, description="Agents only.")
    status: str = Field(examples=["confirmed"])
    quote: QuoteView
    failure: FailureView | None = None
    shipment: ShipmentView | None = None
    timeline: list[TimelineEntryView]
    created_at: datetime


class TimelineView(ResponseModel):
    order_id: str
    status: str
    timeline: list[TimelineEntryView]


class WaitlistView(ResponseModel):
    entry_id: str
    style: str
    region: str


# Request models -----------------------------------------------------------------------------
class QuoteBody(RequestModel):
    style: str | None = Field(
        default=None, min_length=2, max_length=16, pattern=r"^[A-Za-z0-9]+$", examples=["TC11"]
    )
    lines: CartLines = LINES_FIELD
    region: Literal["US", "UK", "EU"] = Field(examples=["UK"], description="Delivery region.")
    quantity: int = Field(default=1, ge=1, le=20)
    customer_id: str | None = Field(
        default=None, max_length=64, description="Agents only: the customer acted for."
    )


class OrderBody(RequestModel):
    quote_id: str = Field(min_length=1, max_length=64)
    payment_token: str = Field(min_length=1, max_length=200, examples=["tok_ok"])
    customer_id: str | None = Field(
        default=None, max_length=64, description="Agents only: the customer acted for."
    )


class WaitlistBody(RequestModel):
    style: str = Field(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9]+$", examples=["PY01"])
    region: Literal["US", "UK", "EU"] = Field(examples=["UK"])
    customer_id: str | None = Field(
        default=None, max_length=64, description="Agents only: the customer acted for."
    )


def _order_view(data: dict, principal: Principal) -> OrderView:
    view = OrderView.model_validate({**data, "placed_by_agent": data.get("agent_id") is not None})
    if principal.type != "agent":
        view.agent_id = None  # staff ids are not the customer's business
    return view


# Catalogue ----------------------------------------------------------------------------------
@router.get("/catalog", response_model=CatalogueView, responses=READ_ERRORS,
            summary="Browse a region's catalogue (local, cross-region and unavailable offers)")  # fmt: skip
async def catalogue(region: RegionQuery, principal: CustomerOrAgent, rpc: Rpc) -> CatalogueView:
    data = await rpc.call(c.Subjects.CATALOGUE, {"region": region}, actor=principal.actor())
    return CatalogueView.model_validate(data)


@router.get("/products/{style}/offers", response_model=OfferView, responses=READ_ERRORS,
            summary="The offer for one style in a region")  # fmt: skip
async def offer(
    style: Style, region: RegionQuery, principal: CustomerOrAgent, rpc: Rpc
) -> OfferView:
    data = await rpc.call(
        c.Subjects.OFFER, {"style": style, "region": region}, actor=principal.actor()
    )
    return OfferView.model_validate(data)


# Quotes ---------------------------------------------------------------------------------------
@router.post("/quotes", status_code=201, response_model=QuoteView | CartQuoteView, responses=WRITE_ERRORS,
             summary="Landed-cost quote in the customer's currency (valid 30 minutes)")  # fmt: skip
async def create_quote(
    body: QuoteBody,
    principal: CustomerOrAgent,
    rpc: Rpc,
    request_id: Annotated[str | None, Depends(request_idempotency_key)],
) -> QuoteView | CartQuoteView:
    acting = acting_customer(principal, body.customer_id)
    request = c.QuoteRequest(
        style=body.style,
        lines=cart_lines_in(body.lines),
        region=body.region,
        quantity=body.quantity,
        request_id=request_id,
    )
    data = await rpc.call(c.Subjects.QUOTE, request, actor=acting.actor)
    return _quote_view(data)


def _quote_view(data: dict) -> QuoteView | CartQuoteView:
    """A cart quote has shipments; a single-style quote keeps its own shape."""
    return (
        CartQuoteView.model_validate(data)
        if "shipments" in data
        else QuoteView.model_validate(data)
    )


@router.get("/quotes/{quote_id}", response_model=QuoteView | CartQuoteView, responses=READ_ERRORS,
            summary="A quote you asked for")  # fmt: skip
async def get_quote(
    quote_id: Id, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> QuoteView | CartQuoteView:
    acting = acting_customer(principal, customer_id)
    data = await rpc.call(c.Subjects.GET_QUOTE, {"quote_id": quote_id}, actor=acting.actor)
    return _quote_view(data)


# Orders ---------------------------------------------------------------------------------------
@router.post("/orders", status_code=201, response_model=OrderView, responses=WRITE_ERRORS,
             summary="Place an order from a quote (the saga then runs; follow its status)")  # fmt: skip
async def place_order(body: OrderBody, principal: CustomerOrAgent, rpc: Rpc) -> OrderView:
    acting = acting_customer(principal, body.customer_id)
    request = c.PlaceOrderRequest(quote_id=body.quote_id, payment_token=body.payment_token)
    data = await rpc.call(c.Subjects.PLACE_ORDER, request, actor=acting.actor)
    return _order_view(data, principal)


@router.get("/orders", response_model=Page[OrderView], responses=READ_ERRORS,
            summary="Your orders, most recent first")  # fmt: skip
async def list_orders(
    principal: CustomerOrAgent, rpc: Rpc, paging: Paging, customer_id: CustomerIdQuery = None
) -> Page[OrderView]:
    acting = acting_customer(principal, customer_id)
    data = await rpc.call(
        c.Subjects.LIST_ORDERS, {"limit": paging.limit, "after": paging.after}, actor=acting.actor
    )
    items = [_order_view(x, principal) for x in data["items"]]
    return Page[OrderView].of(items, data.get("next"))


@router.get("/orders/{order_id}", response_model=OrderView, responses=READ_ERRORS,
            summary="One of your orders (agents: any order, by its id alone)")  # fmt: skip
async def get_order(
    order_id: Id, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> OrderView:
    """Customers read their own orders. Agents read any order by its id, without naming the
    customer (a phone call may start with the order number alone); when they name one, an
    order of someone else is 404 like for customers."""
    data = await rpc.call(
        c.Subjects.GET_ORDER, {"order_id": order_id}, actor=_reader(principal, customer_id)
    )
    return _order_view(data, principal)


def _reader(principal: Principal, customer_id: str | None) -> Actor:
    """Who reads an order: an agent naming no customer reads as themselves (the orders service
    lets agents see every order); everyone else as `acting_customer` says."""
    if principal.type == "agent" and customer_id is None:
        return principal.actor()
    return acting_customer(principal, customer_id).actor


@router.get("/orders/{order_id}/timeline", response_model=TimelineView, responses=READ_ERRORS,
            summary="Every status the order went through, with times")  # fmt: skip
async def order_timeline(
    order_id: Id, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> TimelineView:
    data = await rpc.call(
        c.Subjects.GET_ORDER, {"order_id": order_id}, actor=_reader(principal, customer_id)
    )
    return TimelineView.model_validate(data)


@router.post("/orders/{order_id}/cancel", response_model=OrderView, responses=WRITE_ERRORS,
             summary="Cancel before shipping (every completed step is undone)")  # fmt: skip
async def cancel_order(
    order_id: Id, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> OrderView:
    acting = acting_customer(principal, customer_id)
    data = await rpc.call(c.Subjects.CANCEL_ORDER, {"order_id": order_id}, actor=acting.actor)
    return _order_view(data, principal)


@router.get("/orders/{order_id}/stream", responses={200: ORDER_EVENTS_RESPONSE, **STREAM_ERRORS},
            summary="Live order events (Server-Sent Events; resumes with Last-Event-ID)")  # fmt: skip
async def order_stream(
    order_id: Id,
    principal: CustomerOrAgent,
    rpc: Rpc,
    streams: Streams,
    customer_id: CustomerIdQuery = None,
):  # type: ignore[no-untyped-def]
    acting = acting_customer(principal, customer_id)
    await rpc.call(c.Subjects.GET_ORDER, {"order_id": order_id}, actor=acting.actor)
    return streams.order(order_id)


# Waitlist -------------------------------------------------------------------------------------
@router.post("/waitlist", status_code=201, response_model=WaitlistView, responses=WRITE_ERRORS,
             summary="Be told when a style is listed (or back in stock) in your region")  # fmt: skip
async def join_waitlist(body: WaitlistBody, principal: CustomerOrAgent, rpc: Rpc) -> WaitlistView:
    acting = acting_customer(principal, body.customer_id)
    request = c.JoinWaitlistRequest(style=body.style, region=body.region)
    data = await rpc.call(c.Subjects.JOIN_WAITLIST, request, actor=acting.actor)
    return WaitlistView.model_validate(data)
