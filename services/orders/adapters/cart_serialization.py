"""CartQuote <-> JSON-safe dict, for the quotes table (decimals travel as strings).

A cart quote keeps everything its shipments were priced with (the converted unit prices, the
shipping charge, the tax terms), so a later return can reprice the kept lines with the very same
figures. A stored cart document is marked `"kind": "cart"`; a single-style one has no kind.

Each line keeps its style's declaration, the country of origin and description its parcel
declares. A document stored before lines kept them is read with what its own customs lines
declared, else the style's declaration in the catalogue (`style_declarations`), else what its
parcel declared then (the shipment's source region, the style code): see
`_declaration_of_an_older_line`. Its product name likewise: the catalogue's, else the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from services.orders.adapters.serialization import fx_in, fx_out, m_in, money_out
from services.orders.domain.quotes import CustomsDeclaration
from services.orders.domain.reference import StyleDeclaration
from services.orders.domain.shipment_charges import (
    Item,
    PricedLine,
    ShipmentCharges,
    ShipmentTreatment,
    TaxTerms,
)
from services.orders.domain.shipments import CartQuote, Shipment

CART_KIND = "cart"


def is_cart_document(d: dict[str, Any]) -> bool:
    return d.get("kind") == CART_KIND


def cart_quote_to_dict(q: CartQuote) -> dict[str, Any]:
    return {
        "kind": CART_KIND,
        "quote_id": q.quote_id,
        "region": q.region,
        "currency": q.currency,
        "shipments": [_shipment_out(s) for s in q.shipments],
        "fx_rates": [fx_out(r) for r in q.fx_rates],
        "created_at": q.created_at.isoformat(),
        "expires_at": q.expires_at.isoformat(),
        "customer_id": q.customer_id,
        "agent_id": q.agent_id,
    }


def cart_quote_from_dict(
    d: dict[str, Any], style_declarations: Mapping[str, StyleDeclaration] | None = None
) -> CartQuote:
    """The stored cart quote; `style_declarations` (style -> the catalogue's origin,
    description and name) is read only for lines stored before they kept theirs."""
    return CartQuote(
        quote_id=d["quote_id"],
        region=d["region"],
        currency=d["currency"],
        shipments=tuple(_shipment_in(s, style_declarations or {}) for s in d["shipments"]),
        fx_rates=tuple(r for x in d["fx_rates"] if (r := fx_in(x)) is not None),
        created_at=datetime.fromisoformat(d["created_at"]),
        expires_at=datetime.fromisoformat(d["expires_at"]),
        customer_id=d.get("customer_id"),
        agent_id=d.get("agent_id"),
    )


def _shipment_out(s: Shipment) -> dict[str, Any]:
    c = s.charges
    return {
        "warehouse": s.warehouse,
        "source_region": s.source_region,
        "destination": s.destination,
        "delivery_days": list(s.delivery_days),
        "prices_include_vat": s.prices_include_vat,
        "terms": {
            "destination": s.terms.destination,
            "vat_rate": str(s.terms.vat_rate),
            "low_value_threshold": str(s.terms.low_value_threshold),
            "duty_rates": {hs: str(rate) for hs, rate in s.terms.duty_rates.items()},
        },
        "charges": {
            "currency": c.currency,
            "treatment": str(c.treatment),
            "lines": [_line_out(x) for x in c.lines],
            "shipping": money_out(c.shipping),
            "vat_rate": str(c.vat_rate),
            "vat": money_out(c.vat),
            "vat_included": money_out(c.vat_included),
        },
        "customs": [_customs_out(x) for x in s.customs],
    }


def _shipment_in(d: dict[str, Any], catalogue: Mapping[str, StyleDeclaration]) -> Shipment:
    terms, c = d["terms"], d["charges"]
    customs = tuple(_customs_in(x) for x in d["customs"])
    return Shipment(
        warehouse=d["warehouse"],
        source_region=d["source_region"],
        destination=d["destination"],
        delivery_days=(d["delivery_days"][0], d["delivery_days"][1]),
        charges=ShipmentCharges(
            currency=c["currency"],
            treatment=ShipmentTreatment(c["treatment"]),
            lines=_lines_in(c["lines"], customs, d["source_region"], catalogue),
            shipping=m_in(c["shipping"]),
            vat_rate=Decimal(c["vat_rate"]),
            vat=m_in(c["vat"]),
            vat_included=m_in(c["vat_included"]),
        ),
        terms=TaxTerms(
            destination=terms["destination"],
            vat_rate=Decimal(terms["vat_rate"]),
            low_value_threshold=Decimal(terms["low_value_threshold"]),
            duty_rates={hs: Decimal(rate) for hs, rate in terms["duty_rates"].items()},
        ),
        prices_include_vat=d["prices_include_vat"],
        customs=customs,
    )


def _line_out(x: PricedLine) -> dict[str, Any]:
    return {
        "style": x.item.style,
        "hs_code": x.item.hs_code,
        "unit_price": money_out(x.item.unit_price),
        "quantity": x.item.quantity,
        "origin": x.item.origin,
        "description": x.item.description,
        "name": x.item.name,
        "goods": money_out(x.goods),
        "shipping_share": money_out(x.shipping_share),
        "duty_rate": None if x.duty_rate is None else str(x.duty_rate),
        "duty": money_out(x.duty),
    }


def _lines_in(
    lines: list[dict[str, Any]],
    customs: tuple[CustomsDeclaration, ...],
    source_region: str,
    catalogue: Mapping[str, StyleDeclaration],
) -> tuple[PricedLine, ...]:
    # A cross-border shipment has one customs line per charge line, in the same order.
    declared = customs if len(customs) == len(lines) else (None,) * len(lines)
    return tuple(
        _line_in(x, _declaration_of_an_older_line(x["style"], cu, source_region, catalogue))
        for x, cu in zip(lines, declared, strict=True)
    )


def _declaration_of_an_older_line(
    style: str,
    declared: CustomsDeclaration | None,
    source_region: str,
    catalogue: Mapping[str, StyleDeclaration],
) -> StyleDeclaration:
    """What a line stored before it kept its origin, description or name declares and is
    called (an order or quote from then; a line that kept them uses its own, `_line_in`).

    A cross-border line's own customs line is what was declared for those very goods. A
    local line stored none: its style's declaration in the catalogue is what a quote of the
    same goods declares (cross-border.md), and the parcel may not be booked yet (a saga
    resuming, an exchange's new item waiting for the return). Only a style the catalogue no
    longer lists keeps what its parcel declared before: the shipment's source region and the
    style code.
    """
    listed = catalogue.get(style)
    name = listed.name if listed is not None else style
    if declared is not None:
        return StyleDeclaration(declared.origin_country, declared.description, name)
    return listed or StyleDeclaration(source_region, style, name)


def _line_in(d: dict[str, Any], older: StyleDeclaration) -> PricedLine:
    # What the line kept wins, key by key: a line stored once lines kept their origin, but
    # before they kept their description (or their name), has only its origin.
    item = Item(
        d["style"],
        d["hs_code"],
        m_in(d["unit_price"]),
        d["quantity"],
        d.get("origin", older.origin),
        d.get("description", older.description),
        d.get("name", older.name),
    )
    rate = None if d["duty_rate"] is None else Decimal(d["duty_rate"])
    return PricedLine(item, m_in(d["goods"]), m_in(d["shipping_share"]), rate, m_in(d["duty"]))


def _customs_out(x: CustomsDeclaration) -> dict[str, Any]:
    return {
        "hs_code": x.hs_code,
        "origin_country": x.origin_country,
        "description": x.description,
        "quantity": x.quantity,
        "declared_value": money_out(x.declared_value),
        "incoterm": x.incoterm,
    }


def _customs_in(d: dict[str, Any]) -> CustomsDeclaration:
    return CustomsDeclaration(
        d["hs_code"],
        d["origin_country"],
        d["description"],
        d["quantity"],
        m_in(d["declared_value"]),
        d["incoterm"],
    )
