"""RPC entrypoints (`rpc.orders.*`): translate wire models, call a handler, translate back."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from services.orders.entrypoints.translate import caller, offer_out, order_out, quote_out
from services.orders.handlers import OrdersService
from services.orders.inventory import InventoryService
from shared.actor import Actor
from shared.contracts import orders as c
from shared.errors import DomainError, ErrorKind
from shared.messaging.glue import RpcRoute


class OperatorOnly(DomainError):
    code = "orders_operator_only"
    kind = ErrorKind.FORBIDDEN


def _operator(actor: Actor | None) -> None:
    if actor is not None and actor.type not in ("agent", "system"):
        raise OperatorOnly("only agents and operators may change listings and stock")


def routes(
    svc: OrdersService, inv: InventoryService, ready: asyncio.Event | None = None
) -> list[RpcRoute]:
    """Every `rpc.orders.*` route; calls wait until start-up (stock seeding) is done."""

    async def catalogue(req: c.CatalogueRequest, _actor: Actor | None) -> c.CatalogueReply:
        offers = await svc.catalogue(req.region)
        currency = svc.ref.region(req.region).currency
        return c.CatalogueReply(
            region=req.region, currency=currency, offers=[offer_out(o) for o in offers]
        )

    async def offer(req: c.OfferRequest, _actor: Actor | None) -> c.OfferOut:
        return offer_out(await svc.offer(req.style, req.region))

    async def quote(req: c.QuoteRequest, actor: Actor | None) -> c.QuoteOut:
        return quote_out(
            await svc.quote(caller(actor), req.style, req.region, req.quantity, req.request_id)
        )

    async def get_quote(req: c.GetQuoteRequest, actor: Actor | None) -> c.QuoteOut:
        return quote_out(await svc.get_quote(caller(actor), req.quote_id))

    async def place(req: c.PlaceOrderRequest, actor: Actor | None) -> c.OrderOut:
        return order_out(await svc.place_order(caller(actor), req.quote_id, req.payment_token))

    async def get_order(req: c.GetOrderRequest, actor: Actor | None) -> c.OrderOut:
        return order_out(await svc.get_order(caller(actor), req.order_id))

    async def list_orders(req: c.ListOrdersRequest, actor: Actor | None) -> c.OrderList:
        orders, nxt = await svc.list_orders(caller(actor), req.limit, req.after)
        return c.OrderList(items=[order_out(o) for o in orders], next=nxt)

    async def cancel(req: c.CancelOrderRequest, actor: Actor | None) -> c.OrderOut:
        return order_out(await svc.cancel_order(caller(actor), req.order_id))

    async def waitlist(req: c.JoinWaitlistRequest, actor: Actor | None) -> c.WaitlistReply:
        entry = await inv.join_waitlist(caller(actor), req.style, req.region)
        return c.WaitlistReply(entry_id=entry, style=req.style, region=req.region)

    async def set_listing(req: c.SetListingRequest, actor: Actor | None) -> dict[str, bool]:
        _operator(actor)
        try:
            price = None if req.price is None else Decimal(req.price)
        except InvalidOperation as exc:
            raise DomainError("price must be a decimal", code="orders_invalid_price") from exc
        await inv.set_listing(req.style, req.region, price)
        return {"ok": True}

    async def replenish(req: c.ReplenishRequest, actor: Actor | None) -> dict[str, bool]:
        _operator(actor)
        await inv.replenish(req.warehouse, req.style, req.quantity)
        return {"ok": True}

    async def replacement_stock(
        req: c.ReplacementStockRequest, _actor: Actor | None
    ) -> c.ReplacementStockReply:
        warehouse, available = await inv.replacement_stock(req.region, req.style)
        return c.ReplacementStockReply(
            region=req.region, style=req.style, warehouse=warehouse, available=available
        )

    async def reserve_replacement(
        req: c.ReserveReplacementRequest, _actor: Actor | None
    ) -> c.ReserveReplacementReply:
        res = await inv.reserve_replacement(req.claim_id, req.style, req.region)
        return c.ReserveReplacementReply(
            claim_id=req.claim_id, reservation_id=res.reservation_id, warehouse=res.warehouse
        )

    async def release_replacement(
        req: c.ReleaseReplacementRequest, _actor: Actor | None
    ) -> c.ReleaseReplacementReply:
        return c.ReleaseReplacementReply(released=await inv.release_replacement(req.claim_id))

    async def current_order(req: c.CancelOrderRequest, actor: Actor | None) -> c.OrderOut:
        """The reply to a cancel that was applied but never answered: the order now."""
        return order_out(await svc.get_order(caller(actor), req.order_id))

    async def done(_req: Any, actor: Actor | None) -> dict[str, bool]:
        """The reply to an operator change that was applied but never answered."""
        _operator(actor)
        return {"ok": True}

    table = [
        RpcRoute(c.Subjects.CATALOGUE, catalogue, c.CatalogueRequest),
        RpcRoute(c.Subjects.OFFER, offer, c.OfferRequest),
        # Commands: a repeat of a keyed request gets the first reply. Quotes (id derived from
        # the request id), orders (one per quote), the waitlist and replacement reservations
        # (one per claim) are idempotent by design, so running them again rebuilds the reply.
        RpcRoute(c.Subjects.QUOTE, quote, c.QuoteRequest, command=True),
        RpcRoute(c.Subjects.GET_QUOTE, get_quote, c.GetQuoteRequest),
        RpcRoute(c.Subjects.PLACE_ORDER, place, c.PlaceOrderRequest, command=True),
        RpcRoute(c.Subjects.GET_ORDER, get_order, c.GetOrderRequest),
        RpcRoute(c.Subjects.LIST_ORDERS, list_orders, c.ListOrdersRequest),
        RpcRoute(
            c.Subjects.CANCEL_ORDER,
            cancel,
            c.CancelOrderRequest,
            command=True,
            replay=current_order,
        ),
        RpcRoute(c.Subjects.JOIN_WAITLIST, waitlist, c.JoinWaitlistRequest, command=True),
        RpcRoute(
            c.Subjects.SET_LISTING, set_listing, c.SetListingRequest, command=True, replay=done
        ),
        RpcRoute(c.Subjects.REPLENISH, replenish, c.ReplenishRequest, command=True, replay=done),
        RpcRoute(c.Subjects.REPLACEMENT_STOCK, replacement_stock, c.ReplacementStockRequest),
        RpcRoute(
            c.Subjects.RESERVE_REPLACEMENT,
            reserve_replacement,
            c.ReserveReplacementRequest,
            command=True,
        ),
        RpcRoute(
            c.Subjects.RELEASE_REPLACEMENT,
            release_replacement,
            c.ReleaseReplacementRequest,
            command=True,
        ),
    ]
    if ready is None:
        return table
    return [replace(r, handler=_gated(r.handler, ready)) for r in table]


def _gated(handler: Any, ready: asyncio.Event) -> Any:
    async def wait_then_handle(request: Any, actor: Actor | None) -> Any:
        if not ready.is_set():
            try:
                await asyncio.wait_for(ready.wait(), timeout=10)
            except TimeoutError as exc:
                raise DomainError(
                    "orders service is starting", code="orders_starting", kind=ErrorKind.UNAVAILABLE
                ) from exc
        return await handler(request, actor)

    return wait_then_handle
