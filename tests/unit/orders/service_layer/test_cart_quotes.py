"""Quoting a cart: checked before anything is priced, stored whole, published as figures
(ordering one: test_cart_orders.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.orders.domain.carts import CartLine
from services.orders.domain.errors import QuoteNotFound
from services.orders.domain.quotes import Quote
from services.orders.domain.shipment_charges import ShipmentTreatment
from shared.actor import Actor
from shared.errors import DomainError, ErrorKind
from tests.support.orders.records import counts, published
from tests.support.orders.stack import UK_CUSTOMER, Stack

WORKED = [CartLine("TC11", 1), CartLine("VT02", 1)]
AGENT_FOR_UK = Actor(type="agent", id="agent-7", on_behalf_of="cust-uk-1")


async def test_the_worked_example_is_quoted_stored_and_read_back_unchanged(stack: Stack) -> None:
    """TC11 + VT02 to the UK: one US-NJ shipment, DDP import, 383.99 GBP at one locked rate;
    reading the quote back gives the very same figures."""
    q = await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", WORKED)
    assert str(q.total.amount) == "383.99" and q.currency == "GBP"
    assert q.fx is not None and q.fx.rate == Decimal("0.7752") and len(q.fx_rates) == 1
    (shipment,) = q.shipments
    assert (shipment.warehouse, shipment.treatment) == ("US-NJ", ShipmentTreatment.DDP_IMPORT)
    assert q.customer_id == UK_CUSTOMER.id and q.agent_id is None
    assert await stack.cases.quotes.get_quote(UK_CUSTOMER, q.quote_id) == q


async def test_a_mixed_cart_is_two_shipments_each_with_its_treatment(stack: Stack) -> None:
    """A UK-listed item leaves UK-LON as a local shipment; a US-only one leaves US-NJ as DDP."""
    q = await stack.cases.quotes.quote_cart(
        UK_CUSTOMER, "UK", [CartLine("JR01", 1), CartLine("VT02", 1)]
    )
    found = [(s.warehouse, s.treatment, s.styles) for s in q.shipments]
    assert found == [
        ("UK-LON", ShipmentTreatment.LOCAL, ("JR01",)),
        ("US-NJ", ShipmentTreatment.DDP_IMPORT, ("VT02",)),
    ]
    assert [str(s.total.amount) for s in q.shipments] == ["159.00", "309.48"]
    assert str(q.total.amount) == "468.48"


async def test_the_event_carries_ids_codes_and_figures_only(stack: Stack) -> None:
    """orders.cart_quote.created says who, where, which styles and what each shipment costs;
    an agent quoting for a customer is named by id."""
    q = await stack.cases.quotes.quote_cart(AGENT_FOR_UK, "UK", WORKED)
    (data,) = await published(stack, "orders.cart_quote.created")
    assert data["quote_id"] == q.quote_id
    assert (data["customer_id"], data["agent_id"]) == ("cust-uk-1", "agent-7")
    assert (data["region"], data["currency"], data["total"]) == ("UK", "GBP", "383.99")
    assert (data["fx_rate"], data["fx_as_of"]) == ("0.7752", str(q.fx.as_of if q.fx else None))
    assert data["shipments"] == [
        {
            "warehouse": "US-NJ",
            "ships_from_region": "US",
            "treatment": "ddp_import",
            "lines": [{"style": "TC11", "quantity": 1}, {"style": "VT02", "quantity": 1}],
            "goods": "291.48",
            "shipping": "19.38",
            "duty": "9.13",
            "vat": "64.00",
            "total": "383.99",
        }
    ]
    assert await published(stack, "orders.quote.created") == []


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "cart_empty"),
        ([CartLine(f"S{i:02d}", 1) for i in range(21)], "cart_too_many_lines"),
        ([CartLine("TC11", 1), CartLine("TC11", 2)], "cart_duplicate_style"),
        ([CartLine("TC11", 0)], "quote_invalid_quantity"),
        ([CartLine("TC11", 21)], "quote_invalid_quantity"),
        ([CartLine("TC11", 1), CartLine("ZZ99", 1)], "catalogue_unknown_style"),
        ([CartLine("TC11", 1), CartLine("PY01", 1)], "catalogue_not_available"),
    ],
)
async def test_a_bad_cart_is_refused_and_changes_nothing(
    stack: Stack, lines: list[CartLine], code: str
) -> None:
    """Each cart rule refuses the whole cart with its stable code; nothing is stored or sent."""
    before = await counts(stack)
    with pytest.raises(DomainError) as err:
        await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", lines)
    assert err.value.code == code
    assert await counts(stack) == before


async def test_a_retried_request_finds_the_quote_it_created(stack: Stack) -> None:
    """The same request id twice: one quote, one event, the same answer."""
    first = await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", WORKED, request_id="r-1")
    again = await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", WORKED, request_id="r-1")
    assert again == first
    assert len(await published(stack, "orders.cart_quote.created")) == 1


async def test_a_request_id_used_for_one_style_cannot_become_a_cart(stack: Stack) -> None:
    """A request id names one request: reusing it for the other kind of quote is a conflict."""
    single = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1, request_id="r-2")
    assert isinstance(single, Quote)
    with pytest.raises(DomainError) as err:
        await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", WORKED, request_id="r-2")
    assert err.value.code == "quote_request_id_reused" and err.value.kind is ErrorKind.CONFLICT


async def test_someone_elses_cart_quote_stays_invisible(stack: Stack) -> None:
    """Another customer neither reads nor orders it: quote_not_found, as for one style."""
    q = await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", WORKED)
    stranger = Actor(type="customer", id="cust-other")
    with pytest.raises(QuoteNotFound):
        await stack.cases.quotes.get_quote(stranger, q.quote_id)
    with pytest.raises(QuoteNotFound):
        await stack.cases.ordering.place_order(stranger, q.quote_id, "tok_ok")
