from __future__ import annotations

import pytest

from services.orders.domain.carts import (
    CartDuplicateStyle,
    CartEmpty,
    CartLine,
    CartPolicy,
    CartTooManyLines,
    build_cart,
)
from services.orders.domain.errors import InvalidQuantity, UnknownRegion, UnknownStyle
from services.orders.domain.reference import ReferenceData
from shared.errors import ErrorKind


def test_a_valid_cart_keeps_its_lines_in_order(ref: ReferenceData, cart_policy: CartPolicy) -> None:
    """A cart of distinct known styles with quantities in bounds is accepted as sent."""
    lines = [CartLine("TC11", 2), CartLine("VT02", 1)]
    cart = build_cart(ref, cart_policy, region="UK", lines=lines)
    assert cart.region == "UK"
    assert cart.lines == tuple(lines)


def test_the_policy_data_allows_twenty_lines(cart_policy: CartPolicy) -> None:
    """The operator data holds the published limit: up to 20 lines per cart."""
    assert cart_policy.max_lines == 20


def test_more_lines_than_the_limit_are_refused(ref: ReferenceData) -> None:
    """A cart over the line limit is refused with cart_too_many_lines and the counts."""
    policy = CartPolicy(max_lines=2, max_quantity_per_line=5)
    lines = [CartLine("TC11", 1), CartLine("VT02", 1), CartLine("VT01", 1)]
    with pytest.raises(CartTooManyLines) as err:
        build_cart(ref, policy, region="UK", lines=lines)
    assert err.value.code == "cart_too_many_lines"
    assert err.value.details == {"lines": 3, "max_lines": 2}
    assert "at most 2 lines" in str(err.value)


def test_exactly_the_limit_is_accepted(ref: ReferenceData) -> None:
    """The limit is inclusive: a cart of exactly max_lines lines is a cart."""
    policy = CartPolicy(max_lines=2, max_quantity_per_line=5)
    cart = build_cart(ref, policy, region="UK", lines=[CartLine("TC11", 1), CartLine("VT02", 1)])
    assert len(cart.lines) == 2


def test_an_empty_cart_is_refused(ref: ReferenceData, cart_policy: CartPolicy) -> None:
    """A cart needs at least one line."""
    with pytest.raises(CartEmpty) as err:
        build_cart(ref, cart_policy, region="UK", lines=[])
    assert err.value.code == "cart_empty"
    assert err.value.details == {"region": "UK"}
    assert "at least one line" in str(err.value)


def test_a_style_twice_is_refused_naming_the_second_line(
    ref: ReferenceData, cart_policy: CartPolicy
) -> None:
    """Two lines of one style are refused with cart_duplicate_style and the line index."""
    lines = [CartLine("TC11", 1), CartLine("VT02", 1), CartLine("TC11", 2)]
    with pytest.raises(CartDuplicateStyle) as err:
        build_cart(ref, cart_policy, region="UK", lines=lines)
    assert err.value.code == "cart_duplicate_style"
    assert err.value.details == {"line": 2, "style": "TC11"}
    assert "TC11 appears twice" in str(err.value)


@pytest.mark.parametrize("quantity", [0, -1, 21])
def test_a_quantity_out_of_bounds_is_refused(
    ref: ReferenceData, cart_policy: CartPolicy, quantity: int
) -> None:
    """Each line's quantity is between 1 and the per-line maximum (20), bounds included."""
    with pytest.raises(InvalidQuantity) as err:
        build_cart(ref, cart_policy, region="UK", lines=[CartLine("TC11", quantity)])
    assert err.value.code == "quote_invalid_quantity"
    assert err.value.details == {"line": 0, "style": "TC11", "quantity": quantity, "min": 1,
                                 "max": 20}  # fmt: skip
    assert "between 1 and 20" in str(err.value)


@pytest.mark.parametrize("quantity", [1, 20])
def test_quantity_bounds_are_inclusive(
    ref: ReferenceData, cart_policy: CartPolicy, quantity: int
) -> None:
    """1 and the per-line maximum are both valid quantities."""
    cart = build_cart(ref, cart_policy, region="UK", lines=[CartLine("TC11", quantity)])
    assert cart.lines[0].quantity == quantity


def test_an_unknown_style_is_refused(ref: ReferenceData, cart_policy: CartPolicy) -> None:
    """A style the brand does not sell is refused with catalogue_unknown_style, naming the line;
    in a cart it is bad input (invalid), not a missing resource."""
    with pytest.raises(UnknownStyle) as err:
        build_cart(ref, cart_policy, region="UK", lines=[CartLine("TC11", 1), CartLine("ZZ99", 1)])
    assert err.value.code == "catalogue_unknown_style"
    assert err.value.kind is ErrorKind.INVALID
    assert err.value.details == {"style": "ZZ99", "line": 1}
    assert "ZZ99" in err.value.message  # the sentence for people names it too


def test_an_unknown_region_is_refused(ref: ReferenceData, cart_policy: CartPolicy) -> None:
    """The cart's region must be one the brand sells in."""
    with pytest.raises(UnknownRegion):
        build_cart(ref, cart_policy, region="MARS", lines=[CartLine("TC11", 1)])
