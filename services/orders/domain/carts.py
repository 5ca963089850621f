"""A cart: up to `max_lines` lines of distinct styles, each with a bounded quantity.

Validation happens once, here, before anything is priced or reserved, so a bad cart is refused
with one stable code and nothing changes. The limits are operator data (carts_and_returns.json).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.orders.domain.errors import InvalidQuantity, UnknownStyle
from services.orders.domain.reference import ReferenceData
from shared.errors import DomainError, ErrorKind


class CartEmpty(DomainError):
    code = "cart_empty"


class CartTooManyLines(DomainError):
    code = "cart_too_many_lines"


class CartDuplicateStyle(DomainError):
    """Two lines of one style: the customer meant one line with a larger quantity."""

    code = "cart_duplicate_style"


@dataclass(frozen=True, slots=True)
class CartPolicy:
    max_lines: int
    max_quantity_per_line: int


@dataclass(frozen=True, slots=True)
class CartLine:
    style: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Cart:
    """A validated cart: build it with `build_cart`, never directly from a request."""

    region: str
    lines: tuple[CartLine, ...]


def build_cart(
    ref: ReferenceData, policy: CartPolicy, *, region: str, lines: Iterable[CartLine]
) -> Cart:
    """Check a requested cart and return it, or raise the first rule it breaks.

    Order of checks: region, line count, then each line in turn (style known, quantity in
    bounds, style not already in the cart), so the error names the first offending line.
    """
    ref.region(region)
    requested = tuple(lines)
    if not requested:
        raise CartEmpty("a cart needs at least one line", details={"region": region})
    if len(requested) > policy.max_lines:
        raise CartTooManyLines(
            f"a cart holds at most {policy.max_lines} lines",
            details={"lines": len(requested), "max_lines": policy.max_lines},
        )
    seen: set[str] = set()
    for index, line in enumerate(requested):
        _check_line(ref, policy, index, line, seen)
        seen.add(line.style)
    return Cart(region, requested)


def _check_line(
    ref: ReferenceData, policy: CartPolicy, index: int, line: CartLine, seen: set[str]
) -> None:
    try:
        ref.style(line.style)
    except UnknownStyle as exc:
        # A style we do not sell, named in a request body, is bad input (422), not a missing
        # resource: same code as everywhere, with the line at fault.
        raise UnknownStyle(
            exc.message, kind=ErrorKind.INVALID, details={"line": index, "style": line.style}
        ) from exc
    if not 1 <= line.quantity <= policy.max_quantity_per_line:
        raise InvalidQuantity(
            f"quantity must be between 1 and {policy.max_quantity_per_line}",
            details={
                "line": index,
                "style": line.style,
                "quantity": line.quantity,
                "min": 1,
                "max": policy.max_quantity_per_line,
            },
        )
    if line.style in seen:
        raise CartDuplicateStyle(
            f"{line.style} appears twice; use one line with a larger quantity",
            details={"line": index, "style": line.style},
        )
