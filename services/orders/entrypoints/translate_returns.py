"""Returns: wire <-> plain values (requests to domain lines, a Return to its reply)."""

from __future__ import annotations

import base64
from collections.abc import Mapping

from services.orders.adapters.wire_returns import exchange_out, refund_out
from services.orders.domain.exchanges import ExchangeFallback
from services.orders.domain.order_returns import Return, ReturnLabel
from services.orders.domain.returns import ReturnLine, ReturnReason
from services.orders.service_layer.return_exchanges import ExchangeRequest
from services.orders.service_layer.return_labels import PrintedLabel
from shared.contracts import orders as c
from shared.errors import DomainError


class ExchangeIncomplete(DomainError):
    code = "return_exchange_incomplete"


def return_lines_in(req: c.RequestReturnRequest) -> list[ReturnLine]:
    return [ReturnLine(x.style, x.quantity, ReturnReason(x.reason)) for x in req.lines]


def exchange_in(req: c.RequestReturnRequest) -> ExchangeRequest | None:
    """An exchange needs the style wanted and the customer's choice for a lost parcel."""
    if req.resolution != "exchange":
        if req.exchange_style or req.if_not_returned:
            raise ExchangeIncomplete(
                "exchange_style and if_not_returned are for exchanges only",
                details={"resolution": req.resolution},
            )
        return None
    if not req.exchange_style or not req.if_not_returned:
        raise ExchangeIncomplete(
            "an exchange needs exchange_style and if_not_returned (charge or cancel)",
            details={"missing": [n for n in ("exchange_style", "if_not_returned")
                                 if not getattr(req, n)]},
        )  # fmt: skip
    fallback = (
        ExchangeFallback.CHARGE_IN_FULL
        if req.if_not_returned == "charge"
        else ExchangeFallback.CANCEL
    )
    return ExchangeRequest(req.exchange_style, fallback)


def _label_out(x: ReturnLabel, names: Mapping[str, str]) -> c.ReturnLabelOut:
    return c.ReturnLabelOut(
        carrier=x.carrier,
        tracking_number=x.tracking_number,
        label_id=x.shipment_id,
        warehouse=x.warehouse,
        warehouse_name=names.get(x.warehouse),
        customs=[
            c.ReturnedGoodsOut(
                hs_code=g.hs_code,
                origin_country=g.origin_country,
                description=g.description,
                quantity=g.quantity,
                declared_value=str(g.declared_value.amount),
                currency=g.declared_value.currency,
                procedure=g.procedure,
            )
            for g in x.customs
        ],
    )


def return_out(r: Return, names: Mapping[str, str] | None = None) -> c.ReturnOut:
    """The reply; `names` are the warehouses' names (absent: codes only)."""
    facts = r.facts()
    exchange = None
    if r.exchange is not None:
        exchange = {**(exchange_out(r.exchange_facts()) or {}), "outcome": r.exchange.outcome}
    return c.ReturnOut.model_validate(
        {
            "return_id": r.return_id,
            "return_number": r.return_number,
            "order_id": r.order_id,
            "customer_id": r.customer_id,
            "agent_id": r.agent_id,
            "status": str(r.status),
            "resolution": r.resolution,
            "lines": [{"style": s, "quantity": q, "reason": why} for s, q, why in facts.lines],
            "labels": [_label_out(x, names or {}) for x in r.labels],
            "refund": refund_out(r.refund),
            "amount_refunded": None if r.amount_refunded is None else str(r.amount_refunded.amount),
            "refund_id": r.refund_id,
            "exchange": exchange,
            "parcel_deadline": r.parcel_deadline,
            "created_at": r.created_at,
            "timeline": [{"status": str(s), "at": at} for s, at in r.timeline],
        }
    )


def return_list(
    items: list[Return], after: dict[str, str] | None, names: Mapping[str, str] | None = None
) -> c.ReturnList:
    return c.ReturnList(items=[return_out(r, names) for r in items], next=after)


def label_pdf_out(printed: PrintedLabel) -> c.ReturnLabelPdfReply:
    return c.ReturnLabelPdfReply(
        return_id=printed.return_id,
        label_id=printed.label_id,
        filename=printed.filename,
        pdf_base64=base64.b64encode(printed.pdf).decode("ascii"),
    )
