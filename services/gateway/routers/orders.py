"""Orders: regional catalogue and offers, landed-cost quotes, orders (with live status), waitlist.

The region is always explicit (a query parameter or the request body): geo-IP may pre-select it
in a storefront, but the API never forces one, and any region's catalogue can be browsed.
Agents act for a customer by naming them (`customer_id`); the orders service records it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import ConfigDict, Field

from services.gateway.auth import CustomerIdQuery, CustomerOrAgent, Principal, acting_customer
from services.gateway.errors import problem_responses
from services.gateway.idempotency import request_idempotency_key
from services.gateway.limits import Page, Paging
from services.gateway.models import RequestModel
from services.gateway.routers import _return_labels as return_labels
from services.gateway.routers import _returns as returns
from services.gateway.routers._ask import Payload, as_seen_by, ask
from services.gateway.routers._cart_views import LINES_FIELD, CartLines, cart_lines_in
from services.gateway.runtime import Rpc
from services.gateway.sse import Streams
from services.gateway.sse_docs import ORDER_EVENTS_RESPONSE, STREAM_ERRORS
from shared.contracts import orders as c
from shared.contracts.carts import CartQuoteView

if TYPE_CHECKING:
    from shared.actor import Actor

router = APIRouter(prefix="/v1", tags=["orders"])

RegionQuery = Annotated[
    Literal["US", "UK", "EU"], Query(description="Customer's region (their choice).")
]
Style = Annotated[
    str, Path(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9]+$", examples=["TC11"])
]
Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
READ_ERRORS = problem_responses(401, 404, 422, 503, 504)
WRITE_ERRORS = problem_responses(401, 404, 409, 410, 422, 503, 504)
ORDERED_BEFORE = "The quote had been ordered before: that order (nothing was charged again)."


# Response models: the contract's public models; the gateway only adds what it derives --------
class OrderView(c.OrderView):
    """An order; `agent_id` is shown to agents only."""

    placed_by_agent: bool = Field(description="An agent placed it on the customer's behalf.")


# Request models -----------------------------------------------------------------------------
def _style_or_lines(schema: dict[str, Any]) -> None:
    """Publish the body's rule: one style (with `quantity`) or a cart of `lines`, never both."""
    schema["anyOf"] = [
        {"required": ["style"], "properties": {"style": {"type": "string"},
                                               "lines": {"type": "null"}}},
        {"required": ["lines"], "properties": {"lines": {"type": "array", "minItems": 1},
                                               "style": {"type": "null"}},
         "not": {"required": ["quantity"]}},
    ]  # fmt: skip


class QuoteBody(RequestModel):
    model_config = ConfigDict(json_schema_extra=_style_or_lines)

    style: str | None = Field(
        default=None, min_length=2, max_length=16, pattern=r"^[A-Za-z0-9]+$", examples=["TC11"],
        description="Style code (a single-style quote; or send `lines`).",
    )  # fmt: skip
    lines: CartLines = LINES_FIELD
    region: Literal["US", "UK", "EU"] = Field(examples=["UK"], description="Delivery region.")
    quantity: int = Field(
        default=1, ge=1, le=20,
        description="Units of `style`; not with `lines` (422 `quote_quantity_with_lines`).",
    )  # fmt: skip
    customer_id: str | None = Field(
        default=None, max_length=64, description="Agents only: the customer acted for."
    )


class OrderBody(RequestModel):
    quote_id: str = Field(min_length=1, max_length=64, description="Quote to accept.")
    payment_token: str = Field(min_length=1, max_length=200, examples=["tok_ok"],
                               description="Card token; sandbox: tok_ok, tok_declined, tok_timeout.")  # fmt: skip
    customer_id: str | None = Field(
        default=None, max_length=64, description="Agents only: the customer acted for."
    )


class WaitlistBody(RequestModel):
    style: str = Field(min_length=2, max_length=16, pattern=r"^[A-Za-z0-9]+$", examples=["PY01"],
                       description="Style code.")  # fmt: skip
    region: Literal["US", "UK", "EU"] = Field(
        examples=["UK"], description="Region to be told about."
    )
    customer_id: str | None = Field(
        default=None, max_length=64, description="Agents only: the customer acted for."
    )


def _order_view(data: dict[str, Any], principal: Principal) -> OrderView:
    return as_seen_by(OrderView, data, principal, by_agent="placed_by_agent")


async def _ask_order(
    rpc: Any, subject: str, payload: Payload, actor: Actor, principal: Principal
) -> OrderView:
    """`ask`, for an order: the view depends on who asks, not only on the reply."""
    return _order_view(await rpc.call(subject, payload, actor=actor), principal)


# Catalogue ----------------------------------------------------------------------------------
@router.get("/catalog", response_model=c.CatalogueReply, responses=READ_ERRORS,
            summary="Browse a region's catalogue (local, cross-region and unavailable offers)")  # fmt: skip
async def catalogue(region: RegionQuery, principal: CustomerOrAgent, rpc: Rpc) -> c.CatalogueReply:
    payload = {"region": region}
    return await ask(rpc, c.Subjects.CATALOGUE, payload, principal.actor(), c.CatalogueReply)


@router.get("/products/{style}/offers", response_model=c.OfferOut, responses=READ_ERRORS,
            summary="The offer for one style in a region")  # fmt: skip
async def offer(
    style: Style, region: RegionQuery, principal: CustomerOrAgent, rpc: Rpc
) -> c.OfferOut:
    payload = {"style": style, "region": region}
    return await ask(rpc, c.Subjects.OFFER, payload, principal.actor(), c.OfferOut)


# Quotes ---------------------------------------------------------------------------------------
@router.post("/quotes", status_code=201, response_model=c.QuoteView | CartQuoteView, responses=WRITE_ERRORS,
             summary="Landed-cost quote in the customer's currency (valid 30 minutes)")  # fmt: skip
async def create_quote(
    body: QuoteBody,
    principal: CustomerOrAgent,
    rpc: Rpc,
    request_id: Annotated[str | None, Depends(request_idempotency_key)],
) -> c.QuoteView | CartQuoteView:
    acting = acting_customer(principal, body.customer_id)
    # `quantity` travels only when sent: the service refuses it beside `lines`, not ignores it.
    sent = {"quantity": body.quantity} if "quantity" in body.model_fields_set else {}
    request = c.QuoteRequest(
        style=body.style,
        lines=cart_lines_in(body.lines),
        region=body.region,
        request_id=request_id,
        **sent,
    )
    payload = request.model_dump(mode="json", exclude_unset=True)
    data = await rpc.call(c.Subjects.QUOTE, payload, actor=acting.actor)
    return _quote_view(data)


def _quote_view(data: dict[str, Any]) -> c.QuoteView | CartQuoteView:
    """A cart quote has shipments; a single-style quote keeps its own shape."""
    return (
        CartQuoteView.model_validate(data)
        if "shipments" in data
        else c.QuoteView.model_validate(data)
    )


@router.get("/quotes/{quote_id}", response_model=c.QuoteView | CartQuoteView, responses=READ_ERRORS,
            summary="A quote you asked for")  # fmt: skip
async def get_quote(
    quote_id: Id, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> c.QuoteView | CartQuoteView:
    acting = acting_customer(principal, customer_id)
    data = await rpc.call(c.Subjects.GET_QUOTE, {"quote_id": quote_id}, actor=acting.actor)
    return _quote_view(data)


# Orders ---------------------------------------------------------------------------------------
@router.post("/orders", status_code=201, response_model=OrderView,
             responses={200: {"description": ORDERED_BEFORE}, **WRITE_ERRORS},
             summary="Place an order from a quote (the saga then runs; follow its status)")  # fmt: skip
async def place_order(body: OrderBody, principal: CustomerOrAgent, rpc: Rpc,
                      response: Response) -> OrderView:  # fmt: skip
    """201: this request placed the order. 200: the quote had been ordered before (one order
    per quote): the answer is that order, whatever became of it, and nothing was charged."""
    acting = acting_customer(principal, body.customer_id)
    request = c.PlaceOrderRequest(quote_id=body.quote_id, payment_token=body.payment_token)
    reply = await rpc.call(c.Subjects.PLACE_ORDER, request, actor=acting.actor)
    if not reply.get("placed_now"):
        response.status_code = 200
    return _order_view(reply, principal)


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
    reader = _reader(principal, customer_id)
    return await _ask_order(rpc, c.Subjects.GET_ORDER, {"order_id": order_id}, reader, principal)


def _reader(principal: Principal, customer_id: str | None) -> Actor:
    """Who reads an order: an agent naming no customer reads as themselves (the orders service
    lets agents see every order); everyone else as `acting_customer` says."""
    if principal.type == "agent" and customer_id is None:
        return principal.actor()
    return acting_customer(principal, customer_id).actor


@router.get("/orders/{order_id}/timeline", response_model=c.OrderTimeline, responses=READ_ERRORS,
            summary="Every status the order went through, with times")  # fmt: skip
async def order_timeline(
    order_id: Id, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> c.OrderTimeline:
    reader = _reader(principal, customer_id)
    return await ask(rpc, c.Subjects.GET_ORDER, {"order_id": order_id}, reader, c.OrderTimeline)


@router.post("/orders/{order_id}/cancel", response_model=OrderView, responses=WRITE_ERRORS,
             summary="Cancel before shipping (every completed step is undone)")  # fmt: skip
async def cancel_order(
    order_id: Id, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> OrderView:
    acting = acting_customer(principal, customer_id)
    payload = {"order_id": order_id}
    return await _ask_order(rpc, c.Subjects.CANCEL_ORDER, payload, acting.actor, principal)


@router.get("/orders/{order_id}/stream", responses={200: ORDER_EVENTS_RESPONSE, **STREAM_ERRORS},
            summary="Live order events (Server-Sent Events; resumes with Last-Event-ID)")  # fmt: skip
async def order_stream(
    order_id: Id,
    principal: CustomerOrAgent,
    rpc: Rpc,
    streams: Streams,
    customer_id: CustomerIdQuery = None,
    returns: Annotated[
        bool,
        Query(
            description="Also the events of the order's returns (`orders.return.*`), on this "
            "one stream: an order page follows its returns without a stream for each."
        ),
    ] = False,
):  # type: ignore[no-untyped-def]
    acting = acting_customer(principal, customer_id)
    await rpc.call(c.Subjects.GET_ORDER, {"order_id": order_id}, actor=acting.actor)
    return streams.order(order_id, returns=returns)


# Waitlist -------------------------------------------------------------------------------------
@router.post("/waitlist", status_code=201, response_model=c.WaitlistReply, responses=WRITE_ERRORS,
             summary="Be told when a style is listed (or back in stock) in your region")  # fmt: skip
async def join_waitlist(
    body: WaitlistBody, principal: CustomerOrAgent, rpc: Rpc
) -> c.WaitlistReply:
    acting = acting_customer(principal, body.customer_id)
    request = c.JoinWaitlistRequest(style=body.style, region=body.region)
    return await ask(rpc, c.Subjects.JOIN_WAITLIST, request, acting.actor, c.WaitlistReply)


router.include_router(returns.router)
router.include_router(return_labels.router)
