"""The country of origin and description each booked parcel declares to the carrier, through
the saga, the database and HTTP: where the style was made (cross-border.md) and the catalogue's
"category: name", whether the goods are ordered alone or in a cart, and for carts stored before
their lines kept them."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.domain.carts import CartLine
from services.orders.domain.ports import ShipmentRequest
from services.orders.domain.saga import OrderStatus
from shared.persistence.messaging_tables import outbox_table
from tests.support.orders.gateway import auth
from tests.support.orders.stack import UK_CUSTOMER, Stack, place

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


# (HS code, origin, description): what a parcel declares for each style, from the catalogue.
JR01 = ("4202.21", "IT", "handbag: Juniper crossbody")
CC01 = ("4202.31", "ES", "small_leather_goods: Card case")
TC11 = ("4202.32", "VN", "tech_accessory: Floral tablet sleeve 11-inch")


def declared(stack: Stack, shipment_id: str) -> list[tuple[str, str, str]]:
    """(HS code, origin, description) of every line the carrier was asked to carry in one
    parcel."""
    request = stack.carrier.request_for(shipment_id)
    assert isinstance(request, ShipmentRequest)
    lines = (request.customs, *request.more_customs)
    return [(c.hs_code, c.origin_country, c.description) for c in lines]


async def booked_declarations(stack: Stack, order_id: str) -> list[list[tuple[str, str, str]]]:
    order = await stack.runner.saga.advance(order_id)
    assert order.status is OrderStatus.CONFIRMED, order.failure
    return [declared(stack, p.shipment_id) for p in order.shipments]


async def test_a_local_cart_parcel_declares_what_a_single_style_order_declares(
    stack: Stack,
) -> None:
    """JR01 (made in Italy) from UK-LON: ordered alone or with CC01 (made in Spain), the carrier
    is told IT and the catalogue's description for it, ES and its own for the card case; the
    shipment-created event declares the same origins (it carries no description)."""
    single = await place(stack, "JR01")
    assert single.quote.warehouse == "UK-LON"
    quote = await stack.cases.quotes.quote_cart(
        UK_CUSTOMER, "UK", [CartLine("JR01", 1), CartLine("CC01", 1)]
    )
    cart = await stack.cases.ordering.place_order(UK_CUSTOMER, quote.quote_id, "tok_ok")
    assert await booked_declarations(stack, single.order_id) == [[JR01]]
    assert await booked_declarations(stack, cart.order_id) == [[JR01, CC01]]
    (event,) = await shipment_events(stack, cart.order_id)
    assert event["customs"]["origin_country"] == "IT"
    assert [x["origin_country"] for x in event["customs_lines"]] == ["IT", "ES"]


async def test_a_cart_order_stored_before_lines_kept_their_declaration_books_the_styles(
    stack: Stack,
) -> None:
    """An order placed before the upgrade, its saga resumed after it: the catalogue's origin
    and description."""
    quote = await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", [CartLine("JR01", 1)])
    order = await stack.cases.ordering.place_order(UK_CUSTOMER, quote.quote_id, "tok_ok")
    await forget_line_declarations(
        stack, t.orders, t.orders.c.quote, t.orders.c.order_id, order.order_id
    )
    assert await booked_declarations(stack, order.order_id) == [[JR01]]


async def test_a_cart_quote_stored_before_lines_kept_their_declaration_is_ordered_with_it(
    stack: Stack,
) -> None:
    """A quote issued before the upgrade and accepted after it (an exchange's new item waits in
    the same table): the order and its parcel carry the catalogue's origin and description."""
    lines = [CartLine("CC01", 1), CartLine("TC11", 1)]  # ES from UK-LON, VN from US-NJ
    quote = await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", lines)
    await forget_line_declarations(stack, t.quotes, t.quotes.c.document, t.quotes.c.quote_id,
                                   quote.quote_id)  # fmt: skip
    order = await stack.cases.ordering.place_order(UK_CUSTOMER, quote.quote_id, "tok_ok")
    assert order.cart == quote
    assert await booked_declarations(stack, order.order_id) == [[CC01], [TC11]]


@SQLITE
def test_the_api_shows_a_local_cart_orders_origin_as_the_single_style_quotes(
    client: Any, stack: Stack
) -> None:
    """GET /v1/orders/{id} of a one-line local cart shows the customs the single-style quote of
    the same style shows: HS code and country of origin (the API shows no description)."""
    http, settings = client
    me = auth(settings, "cust-uk-1")
    single = http.post("/v1/quotes", json={"style": "VT01", "region": "UK"}, headers=me).json()
    body = {"region": "UK", "lines": [{"style": "VT01", "quantity": 1}]}
    cart = http.post("/v1/quotes", json=body, headers=me).json()
    assert [s["warehouse"] for s in cart["shipments"]] == [single["warehouse"]] == ["UK-LON"]
    placed = http.post(
        "/v1/orders", json={"quote_id": cart["quote_id"], "payment_token": "tok_ok"}, headers=me
    )
    assert placed.status_code == 201, placed.text
    order = http.get(f"/v1/orders/{placed.json()['order_id']}", headers=me).json()
    customs = order["quote"]["customs"]
    assert (customs["hs_code"], customs["origin_country"]) == ("4202.21", "US")
    assert customs["origin_country"] == single["customs"]["origin_country"]


async def forget_line_declarations(
    stack: Stack, table: sa.Table, column: sa.Column[Any], key: sa.Column[Any], value: str
) -> None:
    """Rewrite a stored cart document as the service wrote it before lines kept an origin and
    a description."""
    async with stack.db.transaction() as session:
        document = (await session.execute(sa.select(column).where(key == value))).scalar_one()
        for shipment in document["shipments"]:
            for line in shipment["charges"]["lines"]:
                line.pop("origin", None)
                line.pop("description", None)
        await session.execute(sa.update(table).where(key == value).values({column: document}))


async def shipment_events(stack: Stack, order_id: str) -> list[dict[str, Any]]:
    async with stack.db.read() as session:
        rows = await session.execute(
            sa.select(outbox_table.c.payload).where(
                outbox_table.c.subject == "orders.order.shipment_created"
            )
        )
        events = [orjson.loads(r.payload)["data"] for r in rows]
    return [e for e in events if e["order_id"] == order_id]
