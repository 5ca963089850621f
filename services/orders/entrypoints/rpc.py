"""RPC entrypoints (`rpc.orders.*`): parse the request, call a use case with plain values, and
build the reply in translate.py. The routes are declared per use-case group, below."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from services.orders.domain.orders import Order
from services.orders.entrypoints import translate as tr
from services.orders.entrypoints import translate_carts as trc
from services.orders.entrypoints.rpc_returns import return_label_routes, return_routes
from services.orders.service_layer.catalogue import Catalogue
from services.orders.service_layer.inventory import Inventory
from services.orders.service_layer.ordering import Ordering
from services.orders.service_layer.quotes import Quotes
from services.orders.service_layer.replacements import Replacements
from services.orders.service_layer.return_cancellation import ReturnCancellation
from services.orders.service_layer.return_labels import ReturnLabels
from services.orders.service_layer.return_processing import ReturnProcessing
from services.orders.service_layer.returns import Returns
from services.orders.service_layer.waitlist import Waitlist
from shared.actor import Actor
from shared.contracts import carts as cc
from shared.contracts import orders as c
from shared.errors import DomainError, ErrorKind, Forbidden
from shared.messaging.glue import RpcRoute
from shared.messaging.requests import reply_known
from shared.rpc import ok_reply

A = Actor | None


@dataclass(frozen=True)
class UseCases:
    """The service layer as the entry points see it (built by app.py)."""

    catalogue: Catalogue
    quotes: Quotes
    ordering: Ordering
    waitlist: Waitlist
    inventory: Inventory
    replacements: Replacements
    returns: Returns
    return_cancellation: ReturnCancellation
    return_processing: ReturnProcessing
    return_labels: ReturnLabels
    warehouse_names: Mapping[str, str]  # code -> name, shown to people next to the code


def _operator(actor: A) -> None:
    if actor is not None and actor.type not in ("agent", "system"):
        raise Forbidden(
            "only agents and operators may change listings and stock", code="orders_operator_only"
        )


def _catalogue_routes(u: UseCases) -> list[RpcRoute]:
    names = u.warehouse_names

    async def catalogue(req: c.CatalogueRequest, _actor: A) -> c.CatalogueReply:
        offers = await u.catalogue.offers(req.region)
        reply = tr.catalogue_reply(req.region, u.catalogue.currency(req.region), offers)
        trc.name_offer_warehouses(reply.offers, names)
        return reply

    async def offer(req: c.OfferRequest, _actor: A) -> c.OfferOut:
        out = tr.offer_out(await u.catalogue.offer(req.style, req.region))
        trc.name_offer_warehouses([out], names)
        return out

    async def quote(req: c.QuoteRequest, actor: A) -> c.QuoteOut | cc.CartQuoteOut:
        who = tr.actor_or_system(actor)
        lines = trc.cart_lines_in(req)
        if lines is not None:
            cart = await u.quotes.quote_cart(who, req.region, lines, req.request_id)
            return trc.name_quote_warehouses(trc.cart_quote_out(cart), names)
        assert req.style is not None  # cart_lines_in refuses a request with neither
        q = await u.quotes.quote(who, req.style, req.region, req.quantity, req.request_id)
        return trc.name_quote_warehouses(tr.quote_out(q), names)

    async def get_quote(req: c.GetQuoteRequest, actor: A) -> c.QuoteOut | cc.CartQuoteOut:
        found = await u.quotes.get_quote(tr.actor_or_system(actor), req.quote_id)
        return trc.name_quote_warehouses(trc.any_quote_out(found), names)

    return [
        RpcRoute(c.Subjects.CATALOGUE, catalogue, c.CatalogueRequest),
        RpcRoute(c.Subjects.OFFER, offer, c.OfferRequest),
        # Quote ids derive from the request id: running a repeat again rebuilds the reply.
        RpcRoute(c.Subjects.QUOTE, quote, c.QuoteRequest, command=True),
        RpcRoute(c.Subjects.GET_QUOTE, get_quote, c.GetQuoteRequest),
    ]


async def _order_view(u: UseCases, order: Order) -> c.OrderOut:
    """The order's reply: each delivered parcel says until when it can come back (the return
    policy), each line how many of its units still can (its returns read)."""
    lines = await u.returns.lines_left([order])
    out = trc.order_out(order, u.returns.policy, lines[order.order_id])
    return trc.name_warehouses(out, u.warehouse_names)


def _new_order_view(u: UseCases, order: Order) -> c.OrderOut:
    """The reply of an order just placed: nothing of it can be returned yet."""
    out = trc.order_out(order, u.returns.policy, u.returns.lines_of(order))
    return trc.name_warehouses(out, u.warehouse_names)


def _order_routes(u: UseCases) -> list[RpcRoute]:
    async def place(req: c.PlaceOrderRequest, actor: A) -> c.OrderOut:
        who = tr.actor_or_system(actor)
        early: list[tuple[Order, c.OrderOut]] = []

        def placed(order: Order) -> None:
            # Stored with the placement, in its transaction (requests.py): no return yet.
            reply = _new_order_view(u, order)
            reply.placed_now = True
            early.append((order, reply))
            reply_known(ok_reply(reply))

        order = await u.ordering.place_order(who, req.quote_id, req.payment_token, placed)
        # This request's reply as stored (the same bytes), or the order an earlier one placed.
        return early[-1][1] if early and early[-1][0] is order else await _order_view(u, order)

    async def get_order(req: c.GetOrderRequest, actor: A) -> c.OrderOut:
        order = await u.ordering.get_order(tr.actor_or_system(actor), req.order_id)
        return await _order_view(u, order)

    async def list_orders(req: c.ListOrdersRequest, actor: A) -> c.OrderList:
        who = tr.actor_or_system(actor)
        orders, after = await u.ordering.list_orders(who, req.limit, req.after)
        lines = await u.returns.lines_left(orders)
        return trc.order_list(orders, after, u.returns.policy, lines, u.warehouse_names)

    async def cancel(req: c.CancelOrderRequest, actor: A) -> c.OrderOut:
        order = await u.ordering.cancel_order(tr.actor_or_system(actor), req.order_id)
        return await _order_view(u, order)

    return [
        # One order per quote: a repeat of the placement answers with the same order.
        RpcRoute(c.Subjects.PLACE_ORDER, place, c.PlaceOrderRequest, command=True),
        RpcRoute(c.Subjects.GET_ORDER, get_order, c.GetOrderRequest),
        RpcRoute(c.Subjects.LIST_ORDERS, list_orders, c.ListOrdersRequest),
        # The reply to a cancel that was applied but never answered: the order now.
        RpcRoute(
            c.Subjects.CANCEL_ORDER, cancel, c.CancelOrderRequest, command=True, replay=get_order
        ),
    ]


def _stock_routes(u: UseCases) -> list[RpcRoute]:
    async def waitlist(req: c.JoinWaitlistRequest, actor: A) -> c.WaitlistReply:
        entry = await u.waitlist.join(tr.actor_or_system(actor), req.style, req.region)
        return tr.waitlist_reply(entry, req.style, req.region)

    async def set_listing(req: c.SetListingRequest, actor: A) -> dict[str, bool]:
        _operator(actor)
        await u.inventory.set_listing(req.style, req.region, tr.price_in(req.price))
        return tr.DONE

    async def replenish(req: c.ReplenishRequest, actor: A) -> dict[str, bool]:
        _operator(actor)
        await u.inventory.replenish(req.warehouse, req.style, req.quantity)
        return tr.DONE

    async def done(_req: Any, actor: A) -> dict[str, bool]:
        """The reply to an operator change that was applied but never answered."""
        _operator(actor)
        return tr.DONE

    return [
        RpcRoute(c.Subjects.JOIN_WAITLIST, waitlist, c.JoinWaitlistRequest, command=True),
        RpcRoute(
            c.Subjects.SET_LISTING, set_listing, c.SetListingRequest, command=True, replay=done
        ),
        RpcRoute(c.Subjects.REPLENISH, replenish, c.ReplenishRequest, command=True, replay=done),
    ]


def _replacement_routes(u: UseCases) -> list[RpcRoute]:
    async def stock(req: c.ReplacementStockRequest, _actor: A) -> c.ReplacementStockReply:
        warehouse, available = await u.replacements.available(req.region, req.style)
        return tr.replacement_stock_reply(req.region, req.style, warehouse, available)

    async def reserve(req: c.ReserveReplacementRequest, _actor: A) -> c.ReserveReplacementReply:
        res = await u.replacements.reserve(req.claim_id, req.style, req.region)
        return tr.reservation_reply(req.claim_id, res)

    async def release(req: c.ReleaseReplacementRequest, _actor: A) -> c.ReleaseReplacementReply:
        return tr.release_reply(await u.replacements.release(req.claim_id))

    return [
        RpcRoute(c.Subjects.REPLACEMENT_STOCK, stock, c.ReplacementStockRequest),
        # One reservation per claim: a repeat finds the first.
        RpcRoute(
            c.Subjects.RESERVE_REPLACEMENT, reserve, c.ReserveReplacementRequest, command=True
        ),
        RpcRoute(
            c.Subjects.RELEASE_REPLACEMENT, release, c.ReleaseReplacementRequest, command=True
        ),
    ]


def routes(u: UseCases, ready: asyncio.Event | None = None) -> list[RpcRoute]:
    """Every `rpc.orders.*` route; calls wait until start-up (stock seeding) is done."""
    table = [
        *_catalogue_routes(u),
        *_order_routes(u),
        *_stock_routes(u),
        *_replacement_routes(u),
        *return_routes(u.returns, u.return_cancellation, u.return_processing, u.warehouse_names),
        *return_label_routes(u.return_labels),
    ]
    if ready is None:
        return table
    return [replace(r, handler=_gated(r.handler, ready)) for r in table]


def _gated(handler: Any, ready: asyncio.Event) -> Any:
    async def wait_then_handle(request: Any, actor: A) -> Any:
        if not ready.is_set():
            try:
                await asyncio.wait_for(ready.wait(), timeout=10)
            except TimeoutError as exc:
                raise DomainError(
                    "orders service is starting", code="orders_starting", kind=ErrorKind.UNAVAILABLE
                ) from exc
        return await handler(request, actor)

    return wait_then_handle
