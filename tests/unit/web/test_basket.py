"""The basket the console keeps in the session: what it takes, what it refuses, and that a
malformed cookie never breaks a page."""

from __future__ import annotations

import pytest

from services.web.basket import MAX_LINES, Basket, BasketRefused, forget_if_ordered, load, save


def test_units_add_up_per_style_in_the_order_picked() -> None:
    basket = Basket()
    assert basket.add("TC11", 1, "UK") is False
    basket.add("VT02", 2, "UK")
    basket.add("TC11", 3, "UK")
    assert basket.cart_lines() == [
        {"style": "TC11", "quantity": 4},
        {"style": "VT02", "quantity": 2},
    ]
    assert (basket.region, basket.units) == ("UK", 6)


def test_a_style_stops_at_twenty_units() -> None:
    basket = Basket()
    basket.add("TC11", 15, "UK")
    basket.add("TC11", 15, "UK")
    assert basket.lines == {"TC11": 20}


def test_picks_for_another_region_empty_the_basket_first() -> None:
    basket = Basket()
    basket.add("TC11", 1, "UK")
    assert basket.add("VT01", 1, "US") is True
    assert (basket.region, basket.lines) == ("US", {"VT01": 1})


@pytest.mark.parametrize(
    ("style", "units", "code"),
    [("TC11", 0, "basket_quantity_invalid"), ("TC11", 21, "basket_quantity_invalid"),
     ("tc11", 1, "basket_style_invalid"), ("<b>", 1, "basket_style_invalid"),
     ("", 1, "basket_style_invalid")],
)  # fmt: skip
def test_bad_picks_are_refused_and_change_nothing(style: str, units: int, code: str) -> None:
    basket = Basket()
    basket.add("VT02", 1, "UK")
    with pytest.raises(BasketRefused) as refused:
        basket.add(style, units, "UK")
    assert refused.value.code == code
    assert basket.lines == {"VT02": 1}


def test_a_full_basket_takes_more_units_of_its_styles_but_no_new_style() -> None:
    basket = Basket()
    styles = [f"S{n:02d}" for n in range(MAX_LINES)]
    for style in styles:
        basket.add(style, 1, "UK")
    basket.add(styles[0], 1, "UK")
    with pytest.raises(BasketRefused) as refused:
        basket.add("ZZ99", 1, "UK")
    assert refused.value.code == "basket_full" and len(basket.lines) == MAX_LINES


def test_units_change_and_zero_takes_the_line_out() -> None:
    basket = Basket()
    basket.add("TC11", 1, "UK")
    basket.add("VT02", 1, "UK")
    basket.quoted("q-1")
    basket.set_quantity("TC11", 5)
    basket.set_quantity("VT02", 0)
    assert basket.lines == {"TC11": 5}
    assert basket.quote_ids == []  # a changed basket needs a new quote
    with pytest.raises(BasketRefused):
        basket.set_quantity("JR01", 1)


@pytest.mark.parametrize(
    "stored",
    [None, "x", [], {"lines": "TC11"}, {"lines": [["TC11"]]}, {"lines": [["TC11", "2"]]},
     {"lines": [["TC11", 0]]}, {"lines": [["tc11", 1]]}, {"region": 3, "quote_id": 4},
     {"quote_ids": "q-1"}],
)  # fmt: skip
def test_a_malformed_cookie_reads_as_an_empty_basket(stored: object) -> None:
    basket = Basket.from_session(stored)
    assert basket.lines == {} and basket.region in (None,) and basket.quote_ids == []


def test_a_session_round_trip_keeps_the_basket_and_each_customer_has_their_own() -> None:
    session: dict = {}
    mine = Basket()
    mine.add("TC11", 2, "UK")
    mine.quoted("q-1")
    save(session, None, mine)
    theirs = Basket()
    theirs.add("VT01", 1, "US")
    save(session, "cust-9", theirs)
    assert load(session, None) == mine
    assert load(session, "cust-9") == theirs
    save(session, None, Basket())
    assert "basket" not in session and load(session, "cust-9") == theirs


def test_ordering_the_baskets_own_quote_empties_it_and_another_quote_does_not() -> None:
    session: dict = {}
    basket = Basket()
    basket.add("TC11", 1, "UK")
    basket.quoted("q-basket")
    save(session, None, basket)
    forget_if_ordered(session, None, "q-single")
    assert load(session, None).lines == {"TC11": 1}
    forget_if_ordered(session, None, "q-basket")
    assert load(session, None).lines == {}
