"""The catalogue, landed-cost quotes, orders and the waitlist.

The same pages serve a customer (acting for themselves, under /) and an agent acting for a
customer from the customer view (under /agent/customers/<id>/): the API records that an agent
placed the order, and the agent sees exactly what the customer would.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from services.web import basket as baskets
from services.web import problems
from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.formatting import day
from services.web.labels import REGIONS, RETURN_REASONS, TEST_CARDS
from services.web.reorder import (
    QuoteAsk,
    QuoteRefused,
    again_lines,
    body_units,
    item_name,
    ordered_before,
    price_lapsed,
    quote_lines,
    still_ordered,
)
from services.web.returnable import all_held, returnable_lines, returns_closed_on, returns_until
from services.web.routes.common import (
    ObjectId,
    confirmed,
    flash_error,
    refused_here,
    start_region,
)
from services.web.session import CurrentAgent, CurrentCustomer, Form, User, flash, remember_region
from services.web.views import is_fragment, page_locale, render, see_other

router = APIRouter()
RegionQuery = Annotated[str | None, Query(max_length=2)]


@dataclass(frozen=True)
class Shopper:
    """Who the order is for (None: the signed-in customer) and where their pages live."""

    customer_id: str | None
    base: str

    @classmethod
    def of(cls, user: User, customer_id: str | None = None) -> Shopper:
        if customer_id is None:
            return cls(None, "")
        return cls(customer_id, f"/agent/customers/{customer_id}")


async def catalogue(request: Request, api: Gateway, who: Shopper, region: str | None,
                    locale: str, typed: dict[str, str] | None = None) -> Response:  # fmt: skip
    """The shop; `typed`: a refused quote form's units by style, shown again as typed (422)."""
    if region in REGIONS:
        remember_region(request, str(region), who.customer_id)
    else:
        region = start_region(request, locale, who.customer_id)
    data = await api.get("/v1/catalog", region=region)
    basket = baskets.load(request.session, who.customer_id)
    return render(request, "catalogue.html", 422 if typed else 200, catalogue=data,
                  region=region, regions=REGIONS, who=who, basket=basket, typed=typed or {},
                  page=f"{who.base}/shop?region={region}")  # fmt: skip


async def ask_quote(request: Request, api: Gateway, who: Shopper, form: Form) -> Response:
    """Quote one style or several (the catalogue, an expired quote, a failed order's lines).
    A refusal comes back at once on the shop with the units as they were typed."""
    ask = QuoteAsk.of(form)
    try:
        body = ask.body(who.customer_id)
        quote = await api.post("/v1/quotes", body, idempotency_key=str(form.get("form_key")))
    except QuoteRefused as exc:
        flash(request, "error", problems.title_for(exc.code, 422), exc.code, str(exc))
    except ApiError as exc:
        refused_here(request, exc, form.get("form_key"))
    else:
        baskets.adopt_if_same(request.session, who.customer_id, ask.region, body_units(body),
                              quote["quote_id"])  # fmt: skip
        return see_other(f"{who.base}/quotes/{quote['quote_id']}")
    return await catalogue(request, api, who, ask.region, page_locale(request), ask.typed())


async def show_quote(request: Request, api: Gateway, who: Shopper, quote_id: str,
                     refused_expired: bool = False) -> Response:  # fmt: skip
    """The quote with Pay, and "Get a new quote" for the same items beside it once the price
    lapsed by the console's clock (Pay stays: a quote paid before answers with its order, so
    she is never sent to order it twice); only once the API refused to order it for that
    (`quote_expired`, ?expired=1) is a new quote the only way on."""
    quote = await api.get(f"/v1/quotes/{quote_id}", customer_id=who.customer_id)
    return render(request, "quote.html", quote=quote, who=who, cards=TEST_CARDS,
                  expired=refused_expired, lapsed=price_lapsed(quote),
                  again=quote_lines(quote))  # fmt: skip


async def place_order(request: Request, api: Gateway, who: Shopper, form: Form) -> Response:
    body = {"quote_id": form.get("quote_id"), "payment_token": form.get("payment_token"),
            "customer_id": who.customer_id}  # fmt: skip
    try:
        order, placed_now = await api.post_created(
            "/v1/orders", body, idempotency_key=str(form.get("form_key"))
        )
    except ApiError as exc:
        flash_error(request, exc)
        lapsed = "?expired=1" if exc.code == "quote_expired" else ""
        return see_other(f"{who.base}/quotes/{body['quote_id']}{lapsed}")
    if still_ordered(order):  # new, or placed before (a payment that timed out) and standing
        baskets.forget_if_ordered(request.session, who.customer_id, str(body["quote_id"]))
    if placed_now:  # 201; 200 is the order an earlier payment of this quote placed
        flash(request, "success", "Order placed", detail=f"Order {order['order_id']} is on its "
              "way through payment, stock and shipping; this page follows it live.")  # fmt: skip
    else:  # the quote was paid before: the API answers with that order, not a new one
        level, title, detail = ordered_before(order, day(order.get("created_at"),
                                                         page_locale(request)))  # fmt: skip
        flash(request, level, title, "quote_already_ordered", detail)
    return see_other(f"{who.base}/orders/{order['order_id']}")


async def join_waitlist(request: Request, api: Gateway, who: Shopper, form: Form) -> Response:
    body = {"style": form.get("style"), "region": form.get("region"),
            "customer_id": who.customer_id}  # fmt: skip
    # The product's name, as the page that offered the form showed it (only ever shown back).
    name = str(form.get("name") or body["style"])[:80]
    try:
        await api.post("/v1/waitlist", body, idempotency_key=str(form.get("form_key")))
        flash(request, "success", "You're on the waitlist",
              detail=f"We'll send a message when {name} can be shipped to "
              f"{body['region']}.")  # fmt: skip
    except ApiError as exc:
        flash_error(request, exc)
    return see_other(f"{who.base}/shop?region={body['region']}")


async def list_orders(request: Request, api: Gateway, who: Shopper) -> Response:
    page = await api.get("/v1/orders", customer_id=who.customer_id, limit=50)
    return render(request, "orders.html", orders=page["items"], who=who)


async def show_order(request: Request, api: Gateway, who: Shopper, order_id: str,
                     typed: dict[str, str] | None = None) -> Response:  # fmt: skip
    """The order with its returns; `typed`: a refused return form as it was filled in (422)."""
    order, returns = await asyncio.gather(
        api.get(f"/v1/orders/{order_id}", customer_id=who.customer_id),
        api.get(f"/v1/orders/{order_id}/returns", customer_id=who.customer_id, limit=50),
    )
    template = "order_live.html" if is_fragment(request) else "order.html"
    failed, bought = order.get("failure") or {}, again_lines(order)
    return render(request, template, 422 if typed else 200, order=order, who=who,
                  page=f"{who.base}/orders/{order_id}",
                  returns=returns["items"], returnable=returnable_lines(order),
                  returns_until=returns_until(order),
                  returns_closed=returns_closed_on(order), all_held=all_held(order),
                  return_reasons=RETURN_REASONS, typed=typed or {},
                  again=bought, others=again_lines(order, failed.get("style")),
                  item_names={line["style"]: line["name"] for line in bought},
                  warehouse_names=warehouse_names(order),
                  failed_item=item_name(order, failed.get("style")))  # fmt: skip


def warehouse_names(order: dict[str, Any]) -> dict[str, str]:
    """Warehouse code -> the name people read, as the order's parcels and lines give it."""
    parts = [*(order.get("shipments") or []), *(order.get("lines") or [])]
    return {p["warehouse"]: p["warehouse_name"] for p in parts if p.get("warehouse_name")}


async def cancel_order(request: Request, api: Gateway, who: Shopper, order_id: str,
                       form: FormData) -> Response:  # fmt: skip
    if not confirmed(request, form, f"Yes, cancel order {order_id}"):
        return see_other(f"{who.base}/orders/{order_id}")
    try:
        await api.post(f"/v1/orders/{order_id}/cancel", None, customer_id=who.customer_id)
        flash(request, "success", "Order cancelled", detail="Every completed step is undone.")
    except ApiError as exc:
        flash_error(request, exc)
    return see_other(f"{who.base}/orders/{order_id}")


# Customer routes ------------------------------------------------------------------------------


@router.get("/shop")
async def c_catalogue(request: Request, user: CurrentCustomer, api: Api,
                      region: RegionQuery = None) -> Response:  # fmt: skip
    return await catalogue(request, api, Shopper.of(user), region, user.locale)


@router.post("/quotes")
async def c_quote(request: Request, user: CurrentCustomer, api: Api, form: Form) -> Response:
    return await ask_quote(request, api, Shopper.of(user), form)


@router.get("/quotes/{quote_id}")
async def c_show_quote(request: Request, quote_id: ObjectId, user: CurrentCustomer, api: Api,
                       expired: bool = False) -> Response:  # fmt: skip
    return await show_quote(request, api, Shopper.of(user), quote_id, expired)


@router.post("/orders")
async def c_order(request: Request, user: CurrentCustomer, api: Api, form: Form) -> Response:
    return await place_order(request, api, Shopper.of(user), form)


@router.post("/waitlist")
async def c_waitlist(request: Request, user: CurrentCustomer, api: Api, form: Form) -> Response:
    return await join_waitlist(request, api, Shopper.of(user), form)


@router.get("/orders")
async def c_orders(request: Request, user: CurrentCustomer, api: Api) -> Response:
    return await list_orders(request, api, Shopper.of(user))


@router.get("/orders/{order_id}")
async def c_show_order(request: Request, order_id: ObjectId, user: CurrentCustomer, api: Api) -> Response:  # fmt: skip
    return await show_order(request, api, Shopper.of(user), order_id)


@router.post("/orders/{order_id}/cancel")
async def c_cancel(request: Request, order_id: ObjectId, user: CurrentCustomer, api: Api,
                   form: Form) -> Response:  # fmt: skip
    return await cancel_order(request, api, Shopper.of(user), order_id, form)


# Agents, for one customer ---------------------------------------------------------------------
AGENT = "/agent/customers/{customer_id}"


@router.get(AGENT + "/shop")
async def a_catalogue(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api,
                      region: RegionQuery = None) -> Response:  # fmt: skip
    return await catalogue(request, api, Shopper.of(user, customer_id), region, user.locale)


@router.post(AGENT + "/quotes")
async def a_quote(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api,
                  form: Form) -> Response:  # fmt: skip
    return await ask_quote(request, api, Shopper.of(user, customer_id), form)


@router.get(AGENT + "/quotes/{quote_id}")
async def a_show_quote(request: Request, customer_id: ObjectId, quote_id: ObjectId,
                       user: CurrentAgent, api: Api, expired: bool = False) -> Response:  # fmt: skip
    return await show_quote(request, api, Shopper.of(user, customer_id), quote_id, expired)


@router.post(AGENT + "/orders")
async def a_order(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api,
                  form: Form) -> Response:  # fmt: skip
    return await place_order(request, api, Shopper.of(user, customer_id), form)


@router.post(AGENT + "/waitlist")
async def a_waitlist(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api,
                     form: Form) -> Response:  # fmt: skip
    return await join_waitlist(request, api, Shopper.of(user, customer_id), form)


@router.get(AGENT + "/orders/{order_id}")
async def a_show_order(request: Request, customer_id: ObjectId, order_id: ObjectId,
                       user: CurrentAgent, api: Api) -> Response:  # fmt: skip
    return await show_order(request, api, Shopper.of(user, customer_id), order_id)


@router.post(AGENT + "/orders/{order_id}/cancel")
async def a_cancel(request: Request, customer_id: ObjectId, order_id: ObjectId,
                   user: CurrentAgent, api: Api, form: Form) -> Response:  # fmt: skip
    return await cancel_order(request, api, Shopper.of(user, customer_id), order_id, form)
