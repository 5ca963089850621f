"""What a UK customer reads about her order and quote (story 2, a walk on a phone): a failed
order is not headed "What you paid" (nothing was charged), a return names the item she sent
back rather than its style code, the duty line names its HS code once, and the customs line is
in words (the country, duties paid), not codes. Over a stub gateway."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.web.console import StubConsole
from tests.unit.web.test_order_again import DECLINED, QUOTE
from tests.unit.web.test_order_page import DELIVERED, gateway
from tests.unit.web.test_returns_page import ORDER, a_return
from tests.unit.web.test_returns_page import gateway as returns_gateway

# The orders service's own duty wording names the HS code already.
DUTY_NAMED = {**QUOTE, "lines": [
    {**line, "description": "Import duty 3% (HS 4202.32)"} if line["kind"] == "duty" else line
    for line in QUOTE["lines"]]}  # fmt: skip


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def duty_row(html: str) -> str:
    """The duty line of the cost table (its amount is £4.21), as text."""
    return text(next(row for row in html.split("<tr>") if "£4.21" in row))


@pytest.mark.parametrize(
    ("order", "heading"),
    [(DECLINED, "What it would have cost (nothing was charged)"),
     ({**DECLINED, "status": "cancelled", "failure": None}, "What the order cost"),
     (DELIVERED, "What you paid")],
)  # fmt: skip
def test_only_an_order_that_stands_says_what_you_paid(
    stub_console: StubConsole, order: dict, heading: str
) -> None:
    page = stub_console(gateway(order), role="customer").get("/orders/ord-1").text
    assert f'<h3 id="order-paid">{heading}</h3>' in page


def test_an_agent_reads_the_same_about_the_customer(stub_console: StubConsole) -> None:
    page = stub_console(gateway(DECLINED)).get("/agent/customers/c-1/orders/ord-1").text
    assert "What it would have cost (nothing was charged)" in page
    assert "What the customer paid" not in page


def test_a_return_names_the_item_not_its_style_code(stub_console: StubConsole) -> None:
    me = stub_console(returns_gateway([a_return("awaiting_parcel", 1)]), role="customer")
    items = text(me.get("/orders/ord-1").text).split("Items")[1].split("Refund")[0]
    assert "Vintage tote × 1 (Changed my mind)" in items
    assert ORDER["lines"][0]["style"] not in items.replace("Vintage tote", "")


def test_the_duty_line_names_its_hs_code_once(stub_console: StubConsole) -> None:
    order = {**DELIVERED, "quote": DUTY_NAMED}
    page = stub_console(gateway(order), role="customer").get("/orders/ord-1").text
    assert duty_row(page).count("4202.32") == 1


def test_the_duty_line_keeps_the_hs_code_when_its_words_do_not_name_it(
    stub_console: StubConsole,
) -> None:
    page = stub_console(gateway(DELIVERED), role="customer").get("/orders/ord-1").text
    assert "HS code 4202.32" in duty_row(page)


def test_the_customs_line_and_the_rate_read_as_words(stub_console: StubConsole) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=QUOTE)

    page = text(stub_console(answer, role="customer").get("/quotes/q-1").text)
    assert "made in Vietnam" in page and "made in VN" not in page
    assert "duties and taxes paid at checkout (DDP)" in page
    assert "(the rate of 5 December 2026, 0.7600, plus 2%)" in page
