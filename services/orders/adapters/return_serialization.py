"""Return <-> a JSON-safe document for the returns table (decimals travel as strings)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from services.orders.domain.exchanges import (
    DifferenceDirection,
    Exchange,
    ExchangeFallback,
    PriceDifference,
)
from services.orders.domain.money import Money
from services.orders.domain.order_returns import ExchangeRecord, Return, ReturnLabel
from services.orders.domain.ports import ReturnedGoods
from services.orders.domain.refunds import REFUND_FIGURES
from services.orders.domain.return_events import RefundFigures, RefundLineFigures
from services.orders.domain.returns import ReturnLine, ReturnReason, ReturnStatus

_LINE_FIGURES = [name for name in REFUND_FIGURES if name != "total"]


def _m(value: str, currency: str) -> Money:
    return Money(Decimal(value), currency)


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def refund_to_dict(r: RefundFigures) -> dict[str, Any]:
    return {
        "currency": r.currency,
        **{name: str(getattr(r, name).amount) for name in REFUND_FIGURES},
        "lines": [
            {"style": x.style, "quantity": x.quantity}
            | {name: str(getattr(x, name).amount) for name in _LINE_FIGURES}
            for x in r.lines
        ],
    }


def refund_from_dict(d: dict[str, Any]) -> RefundFigures:
    cur = d["currency"]
    lines = tuple(
        RefundLineFigures(
            style=x["style"],
            quantity=x["quantity"],
            **{name: _m(x[name], cur) for name in _LINE_FIGURES},
        )
        for x in d["lines"]
    )
    return RefundFigures(
        currency=cur, lines=lines, **{name: _m(d[name], cur) for name in REFUND_FIGURES}
    )


def _goods_out(g: ReturnedGoods) -> dict[str, Any]:
    return {
        "hs_code": g.hs_code,
        "origin_country": g.origin_country,
        "description": g.description,
        "quantity": g.quantity,
        "declared_value": str(g.declared_value.amount),
        "currency": g.declared_value.currency,
        "procedure": g.procedure,
    }


def _goods_in(d: dict[str, Any]) -> ReturnedGoods:
    value = _m(d["declared_value"], d["currency"])
    return ReturnedGoods(
        d["hs_code"], d["origin_country"], d["description"], d["quantity"], value, d["procedure"]
    )


def _label_out(x: ReturnLabel) -> dict[str, Any]:
    return {
        "shipment_id": x.shipment_id,
        "tracking_number": x.tracking_number,
        "carrier": x.carrier,
        "warehouse": x.warehouse,
        "customs": [_goods_out(g) for g in x.customs],
    }


def _label_in(d: dict[str, Any]) -> ReturnLabel:
    customs = tuple(_goods_in(g) for g in d["customs"])
    return ReturnLabel(
        d["shipment_id"], d["tracking_number"], d["carrier"], d["warehouse"], customs
    )


def _exchange_out(x: ExchangeRecord | None) -> dict[str, Any] | None:
    if x is None:
        return None
    t = x.terms
    return {
        "style": x.style,
        "quantity": x.quantity,
        "warehouse": x.warehouse,
        "reservation_id": x.reservation_id,
        "charge_authorization_id": x.charge_authorization_id,
        "outcome": x.outcome,
        "shipment": list(x.shipment) if x.shipment is not None else None,
        "replacement_quote_id": t.replacement_quote_id,
        "fallback": str(t.fallback),
        "started_at": t.started_at.isoformat(),
        "parcel_deadline": t.parcel_deadline.isoformat(),
        "credit": str(t.credit.amount),
        "replacement_total": str(t.replacement_total.amount),
        "direction": str(t.difference.direction),
        "difference": str(t.difference.amount.amount),
        "currency": t.credit.currency,
        "from_another_region": t.replacement_from_another_region,
    }


def _exchange_in(return_id: str, d: dict[str, Any] | None) -> ExchangeRecord | None:
    if d is None:
        return None
    cur = d["currency"]
    terms = Exchange(
        return_id=return_id,
        replacement_quote_id=d["replacement_quote_id"],
        fallback=ExchangeFallback(d["fallback"]),
        started_at=_t(d["started_at"]),
        parcel_deadline=_t(d["parcel_deadline"]),
        credit=_m(d["credit"], cur),
        replacement_total=_m(d["replacement_total"], cur),
        difference=PriceDifference(DifferenceDirection(d["direction"]), _m(d["difference"], cur)),
        replacement_from_another_region=d["from_another_region"],
    )
    return ExchangeRecord(
        terms,
        d["style"],
        d["quantity"],
        d["warehouse"],
        d["reservation_id"],
        d["charge_authorization_id"],
        d["outcome"],
        _shipment(d.get("shipment")),
    )


def _shipment(s: list[str] | None) -> tuple[str, str, str] | None:
    """The new item's parcel (absent from returns stored before it was booked)."""
    return (s[0], s[1], s[2]) if s else None


def return_to_dict(r: Return) -> dict[str, Any]:
    return {
        "region": r.region,
        "agent_id": r.agent_id,
        "resolution": r.resolution,
        "lines": [
            {"style": x.style, "quantity": x.quantity, "reason": str(x.reason)} for x in r.lines
        ],
        "refund": refund_to_dict(r.refund),
        "labels": [_label_out(x) for x in r.labels],
        "parcel_deadline": r.parcel_deadline.isoformat(),
        "exchange": _exchange_out(r.exchange),
        "refund_id": r.refund_id,
        "amount_refunded": None if r.amount_refunded is None else str(r.amount_refunded.amount),
        "timeline": [{"status": str(s), "at": at.isoformat()} for s, at in r.timeline],
    }


def return_from_row(row: Any) -> Return:
    d = row.document
    refund = refund_from_dict(d["refund"])
    refunded = d["amount_refunded"]
    return Return(
        return_id=row.return_id,
        order_id=row.order_id,
        customer_id=row.customer_id,
        region=d["region"],
        lines=tuple(
            ReturnLine(x["style"], x["quantity"], ReturnReason(x["reason"])) for x in d["lines"]
        ),
        refund=refund,
        labels=tuple(_label_in(x) for x in d["labels"]),
        created_at=_utc(row.created_at),
        parcel_deadline=_t(d["parcel_deadline"]),
        status=ReturnStatus(row.status),
        resolution=d["resolution"],
        agent_id=d["agent_id"],
        exchange=_exchange_in(row.return_id, d["exchange"]),
        refund_id=d["refund_id"],
        amount_refunded=None if refunded is None else _m(refunded, refund.currency),
        timeline=[(ReturnStatus(x["status"]), _t(x["at"])) for x in d["timeline"]],
        version=row.version,
    )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
