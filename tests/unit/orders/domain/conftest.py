from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from services.orders.adapters.cart_and_return_policy import load_cart_and_return_policy
from services.orders.domain.carts import CartLine, CartPolicy, build_cart
from services.orders.domain.reference import ReferenceData
from services.orders.domain.returns import ReturnPolicy
from services.orders.domain.shipments import CartQuote, quote_cart

QuoteOf = Callable[..., CartQuote]


@pytest.fixture(scope="session")
def cart_policy() -> CartPolicy:
    return load_cart_and_return_policy()[0]


@pytest.fixture(scope="session")
def return_policy() -> ReturnPolicy:
    return load_cart_and_return_policy()[1]


@pytest.fixture
def quote_of(ref: ReferenceData, cart_policy: CartPolicy, now: datetime) -> QuoteOf:
    """Quote a cart given as `region, STYLE=quantity, ...` (initial stock from the data)."""

    def build(region: str, **lines: int) -> CartQuote:
        cart_lines = [CartLine(style, quantity) for style, quantity in lines.items()]
        cart = build_cart(ref, cart_policy, region=region, lines=cart_lines)
        return quote_cart(ref, cart, quote_id="q-cart", now=now)

    return build


@pytest.fixture
def worked_example(quote_of: QuoteOf) -> CartQuote:
    """The worked check of the policy: TC11 x1 and VT02 x1 to the UK, both from US-NJ."""
    return quote_of("UK", TC11=1, VT02=1)
