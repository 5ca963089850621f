"""Quote and Order <-> JSON-safe dicts, for the database (decimals travel as strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from services.orders.domain.catalogue import OfferKind
from services.orders.domain.landed_cost import LandedCost, LineKind, QuoteLine, TaxTreatment
from services.orders.domain.money import FxRate, Money
from services.orders.domain.quotes import CustomsDeclaration, Quote


def money_out(m: Money | None) -> dict[str, str] | None:
    return None if m is None else {"amount": str(m.amount), "currency": m.currency}


def money_in(d: dict[str, str] | None) -> Money | None:
    return None if d is None else Money(Decimal(d["amount"]), d["currency"])


def m_in(d: dict[str, str]) -> Money:
    m = money_in(d)
    assert m is not None
    return m


def _line_out(x: QuoteLine) -> dict[str, Any]:
    return {
        "kind": str(x.kind),
        "amount": money_out(x.amount),
        "description": x.description,
        "unit_price": money_out(x.unit_price),
        "quantity": x.quantity,
        "rate": None if x.rate is None else str(x.rate),
        "base": money_out(x.base),
    }


def _line_in(d: dict[str, Any]) -> QuoteLine:
    return QuoteLine(
        LineKind(d["kind"]),
        m_in(d["amount"]),
        d["description"],
        money_in(d.get("unit_price")),
        d.get("quantity"),
        None if d.get("rate") is None else Decimal(d["rate"]),
        money_in(d.get("base")),
    )


def fx_out(fx: FxRate | None) -> dict[str, str] | None:
    if fx is None:
        return None
    return {
        "source": fx.source,
        "target": fx.target,
        "rate": str(fx.rate),
        "snapshot_rate": str(fx.snapshot_rate),
        "margin": str(fx.margin),
        "as_of": fx.as_of.isoformat(),
    }


def fx_in(d: dict[str, str] | None) -> FxRate | None:
    if d is None:
        return None
    return FxRate(
        d["source"],
        d["target"],
        Decimal(d["rate"]),
        Decimal(d["snapshot_rate"]),
        Decimal(d["margin"]),
        date.fromisoformat(d["as_of"]),
    )


def quote_to_dict(q: Quote) -> dict[str, Any]:
    c = q.customs
    return {
        "quote_id": q.quote_id,
        "region": q.region,
        "style": q.style,
        "quantity": q.quantity,
        "offer_kind": str(q.offer_kind),
        "warehouse": q.warehouse,
        "source_region": q.source_region,
        "landed": {
            "currency": q.landed.currency,
            "lines": [_line_out(x) for x in q.landed.lines],
            "total": money_out(q.landed.total),
            "fx": fx_out(q.landed.fx),
            "tax_treatment": str(q.landed.tax_treatment),
        },
        "delivery_days": list(q.delivery_days),
        "customs": {
            "hs_code": c.hs_code,
            "origin_country": c.origin_country,
            "description": c.description,
            "quantity": c.quantity,
            "declared_value": money_out(c.declared_value),
            "incoterm": c.incoterm,
        },
        "created_at": q.created_at.isoformat(),
        "expires_at": q.expires_at.isoformat(),
        "customer_id": q.customer_id,
        "agent_id": q.agent_id,
        "style_name": q.style_name,
    }


def quote_from_dict(d: dict[str, Any]) -> Quote:
    landed = d["landed"]
    c = d["customs"]
    return Quote(
        quote_id=d["quote_id"],
        region=d["region"],
        style=d["style"],
        quantity=d["quantity"],
        offer_kind=OfferKind(d["offer_kind"]),
        warehouse=d["warehouse"],
        source_region=d["source_region"],
        landed=LandedCost(
            landed["currency"],
            tuple(_line_in(x) for x in landed["lines"]),
            m_in(landed["total"]),
            fx_in(landed["fx"]),
            TaxTreatment(landed["tax_treatment"]),
        ),
        delivery_days=(d["delivery_days"][0], d["delivery_days"][1]),
        customs=CustomsDeclaration(
            c["hs_code"],
            c["origin_country"],
            c["description"],
            c["quantity"],
            m_in(c["declared_value"]),
            c["incoterm"],
        ),
        created_at=datetime.fromisoformat(d["created_at"]),
        expires_at=datetime.fromisoformat(d["expires_at"]),
        customer_id=d.get("customer_id"),
        agent_id=d.get("agent_id"),
        style_name=d.get("style_name", ""),
    )
