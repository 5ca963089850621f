"""RPC entrypoints of returns and exchanges (`rpc.orders.*_return*`, the label's PDF)."""

from __future__ import annotations

from collections.abc import Mapping

from services.orders.entrypoints import translate as tr
from services.orders.entrypoints import translate_returns as trr
from services.orders.service_layer.return_cancellation import ReturnCancellation
from services.orders.service_layer.return_labels import ReturnLabels
from services.orders.service_layer.return_processing import ReturnProcessing
from services.orders.service_layer.returns import Returns
from shared.actor import Actor
from shared.contracts import orders as c
from shared.messaging.glue import RpcRoute

A = Actor | None


def return_routes(returns: Returns, cancellation: ReturnCancellation, processing: ReturnProcessing,
                  names: Mapping[str, str]) -> list[RpcRoute]:  # fmt: skip
    """`names`: the warehouses' names, shown next to their codes in the labels."""

    async def request(req: c.RequestReturnRequest, actor: A) -> c.ReturnOut:
        lines, exchange = trr.return_lines_in(req), trr.exchange_in(req)
        ret = await returns.request_return(tr.actor_or_system(actor), req.order_id, lines,
                                           exchange=exchange, request_id=req.request_id)  # fmt: skip
        return trr.return_out(ret, names)

    async def get(req: c.GetReturnRequest, actor: A) -> c.ReturnOut:
        ret = await returns.get_return(tr.actor_or_system(actor), req.return_id)
        return trr.return_out(ret, names)

    async def list_for_order(req: c.ListReturnsRequest, actor: A) -> c.ReturnList:
        who = tr.actor_or_system(actor)
        page = await returns.list_returns(who, req.order_id, req.limit, req.after)
        return trr.return_list(*page, names)

    async def cancel(req: c.CancelReturnRequest, actor: A) -> c.ReturnOut:
        who = tr.actor_or_system(actor)
        return trr.return_out(await cancellation.cancel_return(who, req.return_id), names)

    async def receive(req: c.ReceiveReturnRequest, actor: A) -> c.ReturnOut:
        ret = await processing.receive_at_warehouse(tr.actor_or_system(actor), req.return_id)
        return trr.return_out(ret, names)

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


def return_label_routes(labels: ReturnLabels) -> list[RpcRoute]:
    async def label_pdf(req: c.ReturnLabelPdfRequest, actor: A) -> c.ReturnLabelPdfReply:
        who = tr.actor_or_system(actor)
        return trr.label_pdf_out(await labels.print_label(who, req.return_id, req.label_id))

    return [RpcRoute(c.Subjects.RETURN_LABEL_PDF, label_pdf, c.ReturnLabelPdfRequest)]
