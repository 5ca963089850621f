"""A cart quote is stored as one JSON document and read back with every figure it was priced
with, whatever its shipments' treatments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import pytest

from services.orders.adapters.cart_and_return_policy import load_cart_and_return_policy
from services.orders.adapters.cart_serialization import (
    cart_quote_from_dict,
    cart_quote_to_dict,
    is_cart_document,
)
from services.orders.adapters.serialization import quote_to_dict
from services.orders.domain.carts import CartLine, build_cart
from services.orders.domain.quotes import create_quote
from services.orders.domain.reference import ReferenceData, StyleDeclaration
from services.orders.domain.shipments import CartQuote, quote_cart


@pytest.mark.parametrize(
    ("region", "lines", "treatments"),
    [
        ("UK", {"TC11": 1, "VT02": 1}, ["ddp_import"]),
        ("UK", {"TC11": 1}, ["low_value_vat"]),
        ("UK", {"JR01": 2, "VT02": 1}, ["local", "ddp_import"]),
        ("US", {"TC11": 3, "VT02": 1}, ["local"]),
    ],
)
def test_a_cart_quote_survives_the_database_round_trip(
    ref: ReferenceData, now: datetime, region: str, lines: dict[str, int], treatments: list[str]
) -> None:
    """Through JSON and back, the quote is equal to the one priced (decimals kept exactly)."""
    policy = load_cart_and_return_policy()[0]
    cart = build_cart(ref, policy, region=region, lines=[CartLine(s, n) for s, n in lines.items()])
    quote = quote_cart(ref, cart, quote_id="q-1", now=now, customer_id="c-1", agent_id="a-1")
    assert [str(s.treatment) for s in quote.shipments] == treatments
    document = orjson.loads(orjson.dumps(cart_quote_to_dict(quote)))
    assert is_cart_document(document)
    assert cart_quote_from_dict(document) == quote


def test_a_single_style_document_is_not_a_cart(ref: ReferenceData, now: datetime) -> None:
    """Documents stored before carts existed carry no kind: they stay single-style quotes."""
    q = create_quote(ref, quote_id="q-2", style="TC11", region="UK", quantity=1, now=now)
    assert not is_cart_document(quote_to_dict(q))


def stored_before_lines_kept_their_declaration(quote: CartQuote) -> dict[str, Any]:
    """The document as the service stored it before cart lines carried an `origin` and a
    `description`."""
    document = orjson.loads(orjson.dumps(cart_quote_to_dict(quote)))
    for shipment in document["shipments"]:
        for line in shipment["charges"]["lines"]:
            del line["origin"], line["description"]
    return document


JR01 = StyleDeclaration("IT", "handbag: Juniper crossbody")  # the catalogue's
VT02 = StyleDeclaration("US", "handbag: Voyager travel tote, luggage brown")


def test_a_line_keeps_its_styles_origin_and_description(ref: ReferenceData, now: datetime) -> None:
    quote = _mixed(ref, now)
    document = cart_quote_to_dict(quote)
    lines = [x for s in document["shipments"] for x in s["charges"]["lines"]]
    # JR01 from UK-LON (local), VT02 from US-NJ (import)
    assert [StyleDeclaration(x["origin"], x["description"]) for x in lines] == [JR01, VT02]


def test_a_cart_stored_before_lines_kept_their_declaration_still_loads(
    ref: ReferenceData, now: datetime
) -> None:
    """A local line takes its style's origin and description from the catalogue; a
    cross-border line the ones its own customs line declared; read back, the quote is the one
    priced today."""
    quote = _mixed(ref, now)
    catalogue = ref.style_declarations()
    old = stored_before_lines_kept_their_declaration(quote)
    assert cart_quote_from_dict(old, catalogue) == quote
    # The catalogue changed since: VT02 was declared as before.
    changed = {**catalogue, "VT02": StyleDeclaration("CN", "handbag: Voyager tote")}
    assert _declarations(cart_quote_from_dict(old, changed)) == [JR01, VT02]


def test_a_line_stored_with_its_origin_but_no_description_keeps_its_origin(
    ref: ReferenceData, now: datetime
) -> None:
    """Stored after lines kept their origin, before they kept their description: the origin it
    kept, the catalogue's description."""
    old = orjson.loads(orjson.dumps(cart_quote_to_dict(_mixed(ref, now))))
    for shipment in old["shipments"]:
        for line in shipment["charges"]["lines"]:
            del line["description"]
    changed = {"JR01": StyleDeclaration("FR", JR01.description)}  # the origin changed since
    assert _declarations(cart_quote_from_dict(old, changed)) == [JR01, VT02]


def test_without_the_catalogue_an_older_local_line_declares_what_it_declared_then(
    ref: ReferenceData, now: datetime
) -> None:
    """No catalogue entry for the style (or no catalogue at all): what that parcel declared
    before lines kept their declaration, its source region and the style code; a cross-border
    line still has its own."""
    old = stored_before_lines_kept_their_declaration(_mixed(ref, now))
    before = [StyleDeclaration("UK", "JR01"), VT02]
    assert _declarations(cart_quote_from_dict(old)) == before
    assert _declarations(cart_quote_from_dict(old, {"VT02": VT02})) == before


def test_a_line_stored_before_lines_kept_their_name_is_named_from_the_catalogue(
    ref: ReferenceData, now: datetime
) -> None:
    """Lines stored before they kept the product's name take the catalogue's, else (a style
    no longer listed) the style code, which is what the order showed then."""
    quote = _mixed(ref, now)
    old = orjson.loads(orjson.dumps(cart_quote_to_dict(quote)))
    for shipment in old["shipments"]:
        for line in shipment["charges"]["lines"]:
            del line["name"]
    assert cart_quote_from_dict(old, ref.style_declarations()) == quote
    assert _names(cart_quote_from_dict(old, ref.style_declarations())) == [
        ref.style("JR01").name,
        ref.style("VT02").name,
    ]
    assert _names(cart_quote_from_dict(old)) == ["JR01", "VT02"]


def _names(quote: CartQuote) -> list[str]:
    return [x.item.name for s in quote.shipments for x in s.charges.lines]


def _mixed(ref: ReferenceData, now: datetime) -> CartQuote:
    """JR01 (made in IT) local from UK-LON, VT02 (made in the US) imported from US-NJ."""
    policy = load_cart_and_return_policy()[0]
    cart = build_cart(ref, policy, region="UK", lines=[CartLine("JR01", 1), CartLine("VT02", 1)])
    return quote_cart(ref, cart, quote_id="q-3", now=now)


def _declarations(quote: CartQuote) -> list[StyleDeclaration]:
    lines = [x.item for s in quote.shipments for x in s.charges.lines]
    return [StyleDeclaration(x.origin, x.description) for x in lines]
