"""The basket remembers the last few quotes made of its lines, not only the newest: quoted in
one tab, quoted again in another, and the OLDER quote paid, its items are bought and the basket
must not offer them a second time. A refused payment, or one that finds a failed or cancelled
order, keeps the basket. Over a stub gateway, and on the basket itself (the cookie stays small).
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from services.web.basket import MAX_QUOTES, Basket, forget_if_ordered, load, save
from tests.support.web.console import StubConsole
from tests.unit.web.test_pay_again import (
    EARLIER,
    basket_quoted,
    orders_service,
    pay,
    payment_refused,
)


def quote_basket_again(me: TestClient, token: str, key: str) -> str:
    """Quote the basket once more (another tab, the same lines); the new quote's id."""
    quoted = me.post("/basket/quote", data={"csrf_token": token, "form_key": key},
                     follow_redirects=False)  # fmt: skip
    return quoted.headers["location"].rsplit("/", 1)[1]


def test_paying_an_older_quote_of_the_baskets_lines_empties_it(stub_console: StubConsole) -> None:
    me = stub_console(orders_service(), role="customer")
    token = basket_quoted(me)  # q-1
    assert quote_basket_again(me, token, "k-again") == "q-2"
    assert "Order placed" in pay(me, token, "q-1").text  # the first tab's quote
    assert "Basket (empty)" in me.get("/shop?region=UK").text


def test_a_repeat_payment_of_an_older_quote_finding_its_order_empties_the_basket(
    stub_console: StubConsole,
) -> None:
    me = stub_console(orders_service(EARLIER), role="customer")
    token = basket_quoted(me)
    quote_basket_again(me, token, "k-again")
    assert "Nothing was charged again" in pay(me, token, "q-1").text
    assert "Basket (empty)" in me.get("/shop?region=UK").text


def test_a_refused_payment_of_an_older_quote_keeps_the_basket(stub_console: StubConsole) -> None:
    me = stub_console(payment_refused(402, "payment_declined"), role="customer")
    token = basket_quoted(me)
    quote_basket_again(me, token, "k-again")
    pay(me, token, "q-1")
    assert "Basket: 2 units for UK" in me.get("/shop?region=UK").text


def test_an_older_quote_finding_a_cancelled_order_keeps_the_basket(
    stub_console: StubConsole,
) -> None:
    me = stub_console(orders_service({**EARLIER, "status": "cancelled"}), role="customer")
    token = basket_quoted(me)
    quote_basket_again(me, token, "k-again")
    pay(me, token, "q-1")
    assert "Basket: 2 units for UK" in me.get("/shop?region=UK").text


def _quoted_basket(*quote_ids: str) -> Basket:
    basket = Basket()
    basket.add("TC11", 1, "UK")
    for quote_id in quote_ids:
        basket.quoted(quote_id)
    return basket


def test_the_basket_keeps_only_its_last_few_quotes_and_a_change_forgets_them() -> None:
    ids = [f"q_{n:032x}" for n in range(MAX_QUOTES + 2)]
    basket = _quoted_basket(*ids)
    assert basket.quote_ids == ids[-MAX_QUOTES:]
    basket.quoted(ids[-1])  # quoted again with the same id (a resent form): no repeat
    assert basket.quote_ids == ids[-MAX_QUOTES:]
    basket.set_quantity("TC11", 2)
    assert basket.quote_ids == []  # other lines: none of those quotes is made of them


def test_an_older_quote_ordered_empties_the_basket_and_an_unrelated_one_does_not() -> None:
    session: dict = {}
    save(session, None, _quoted_basket("q-1", "q-2", "q-3"))
    forget_if_ordered(session, None, "q-single")
    assert load(session, None).lines == {"TC11": 1}
    forget_if_ordered(session, None, "q-1")
    assert load(session, None).lines == {}


def test_the_quotes_stay_small_in_the_cookie_and_a_tampered_list_is_cut() -> None:
    """A quote id is 34 characters (q_ and a uuid's hex): the few kept cost ~120 bytes of the
    cookie's 4 KB, which an agent's baskets (one per customer) share."""
    basket = _quoted_basket(*(f"q_{n:032x}" for n in range(MAX_QUOTES)))
    stored = basket.to_session()
    assert len(json.dumps(stored["quote_ids"])) < 40 * MAX_QUOTES
    assert Basket.from_session(stored) == basket
    tampered = {**stored, "quote_ids": ["x" * 500, 7, *[f"q-{n}" for n in range(50)]]}
    assert Basket.from_session(tampered).quote_ids == [f"q-{n}" for n in range(MAX_QUOTES)]


def test_a_cookie_from_before_with_one_quote_id_still_counts() -> None:
    old = {"region": "UK", "lines": [["TC11", 1]], "quote_id": "q-old"}
    assert Basket.from_session(old).quote_ids == ["q-old"]


def test_an_agent_keeps_the_baskets_of_the_last_five_customers_only() -> None:
    """The session is a signed cookie (4 KB at most in a browser): an agent shopping for one
    customer after another keeps the five most recently used baskets."""
    from services.web import basket as baskets

    session: dict = {"token": "t" * 900}
    for n in range(8):
        kept = baskets.Basket("UK", {"TC11": 1, "VT02": 2})
        kept.quoted(f"Q-{n}-aaaaaaaaaaaaaaaaaaaaaa")
        baskets.save(session, f"cust-{n}", kept)
    baskets.save(session, "cust-4", baskets.load(session, "cust-4"))  # used again: kept
    assert sorted(k for k in session if k.startswith("basket:")) == [
        f"basket:cust-{n}" for n in (3, 4, 5, 6, 7)]  # fmt: skip
    assert baskets.load(session, "cust-7").quote_ids == ["Q-7-aaaaaaaaaaaaaaaaaaaaaa"]
