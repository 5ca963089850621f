"""A cart quote is stored as one JSON document and read back with every figure it was priced
with, whatever its shipments' treatments."""

from __future__ import annotations

from datetime import datetime

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
from services.orders.domain.reference import ReferenceData
from services.orders.domain.shipments import quote_cart


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
