"""RPC entrypoints of returns and exchanges (`rpc.orders.*_return*`)."""

from __future__ import annotations

from services.orders.entrypoints import translate as tr
from services.orders.entrypoints import translate_returns as trr
from services.orders.service_layer.return_cancellation import ReturnCancellation
from services.orders.service_layer.return_processing import ReturnProcessing
from services.orders.service_layer.returns import Returns
from shared.actor import Actor
from shared.contracts import orders as c
from shared.messaging.glue import RpcRoute

A = Actor | None


def return_routes(
    returns: Returns, cancellation: ReturnCancellation, processing: ReturnProcessing
) -> list[RpcRoute]:
    async def request(req: c.RequestReturnRequest, actor: A) -> c.ReturnOut:
        ret = await returns.request_return(
            tr.actor_or_system(actor),
            req.order_id,
            trr.return_lines_in(req),
            exchange=trr.exchange_in(req),
            request_id=req.request_id,
        )
        return trr.return_out(ret)

    async def get(req: c.GetReturnRequest, actor: A) -> c.ReturnOut:
        return trr.return_out(await returns.get_return(tr.actor_or_system(actor), req.return_id))

    async def list_for_order(req: c.ListReturnsRequest, actor: A) -> c.ReturnList:
        who = tr.actor_or_system(actor)
        return trr.return_list(*await returns.list_returns(who, req.order_id, req.limit, req.after))

    async def cancel(req: c.CancelReturnRequest, actor: A) -> c.ReturnOut:
        who = tr.actor_or_system(actor)
        return trr.return_out(await cancellation.cancel_return(who, req.return_id))

    async def receive(req: c.ReceiveReturnRequest, actor: A) -> c.ReturnOut:
        ret = await processing.receive_at_warehouse(tr.actor_or_system(actor), req.return_id)
        return trr.return_out(ret)

    return [
        # The return id derives from the request id: running a repeat again finds the return.
        RpcRoute(c.Subjects.REQUEST_RETURN, request, c.RequestReturnRequest, command=True),
        RpcRoute(c.Subjects.GET_RETURN, get, c.GetReturnRequest),
        RpcRoute(c.Subjects.LIST_RETURNS, list_for_order, c.ListReturnsRequest),
        # A cancel applied but never answered: the return as it now is.
        RpcRoute(c.Subjects.CANCEL_RETURN, cancel, c.CancelReturnRequest, command=True, replay=get),
        # A receipt applied but never answered: the return as it now is (a repeat is a no-op).
        RpcRoute(
            c.Subjects.RECEIVE_RETURN, receive, c.ReceiveReturnRequest, command=True, replay=get
        ),
    ]
