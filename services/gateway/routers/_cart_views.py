"""The cart body of `POST /v1/quotes` (`lines`); the answer is `shared.contracts.carts.CartQuoteView`.

Kept beside the orders router so its own file stays small. The cart rules themselves (at most
20 lines, distinct styles, 1 to 20 units) are the orders service's: the bounds here only keep
the transport sane, so a cart breaking a rule gets the service's precise code, not a generic
validation error.
"""

from __future__ import annotations

from pydantic import Field

from services.gateway.models import RequestModel
from shared.contracts.carts import MAX_WIRE_LINES, CartLineIn


class CartLineBody(RequestModel):
    style: str = Field(
        min_length=2, max_length=16, pattern=r"^[A-Za-z0-9]+$", examples=["TC11"],
        description="Style code; each line a different style.",
    )  # fmt: skip
    quantity: int = Field(
        ge=0, le=999, examples=[2],
        description="Units (1 to 20; otherwise refused with `quote_invalid_quantity`).",
    )  # fmt: skip


CartLines = list[CartLineBody] | None
LINES_FIELD = Field(
    default=None,
    max_length=MAX_WIRE_LINES,
    description="A cart: up to 20 lines of distinct styles (instead of `style` and `quantity`).",
)


def cart_lines_in(lines: CartLines) -> list[CartLineIn] | None:
    return None if lines is None else [CartLineIn(**x.model_dump()) for x in lines]
