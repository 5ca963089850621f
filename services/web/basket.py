"""The shopping basket: the styles a shopper has picked for one delivery region, kept in the
signed session cookie until they are quoted together and ordered.

The basket is only a list the browser carries; nothing is reserved or priced until the gateway
quotes it (POST /v1/quotes with `lines`), and the gateway checks every line again (unknown
style, quantity, a style the region cannot get). An agent shopping for a customer has a basket
per customer, so two customers' picks never mix. The cookie holds 4 KB in all, hence the caps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MAX_LINES = 10  # the cookie's size, not a business rule: the gateway quotes any cart it accepts
MAX_UNITS = 20  # the cart rules: 1 to 20 units of a style
# Quotes of the same lines a shopper may hold open in other tabs (quoted again, or a lapsed quote
# renewed): paying any of them buys the basket's items. A few suffice; each id is ~34 bytes of
# the cookie, which an agent's baskets (one per customer) share.
MAX_QUOTES = 3
MAX_AGENT_BASKETS = 5  # customers an agent shops for at once (see `save`)
QUOTE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
STYLE = re.compile(r"^[A-Z0-9]{2,16}$")


class BasketRefused(ValueError):
    """A change the basket cannot take, with a stable code for the page to show."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class Basket:
    region: str | None = None
    lines: dict[str, int] = field(default_factory=dict)  # style -> units, in the order picked
    # The last quotes made of exactly these lines, oldest first: any of them ordered empties it.
    quote_ids: list[str] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(self.lines.values())

    def add(self, style: str, quantity: int, region: str) -> bool:
        """Add units of a style; True when the basket was emptied first because it held
        another region's picks (a cart is quoted for one delivery region)."""
        _check(style, quantity)
        switched = bool(self.lines) and self.region != region
        if switched:
            self.lines.clear()
        if style not in self.lines and len(self.lines) >= MAX_LINES:
            raise BasketRefused("basket_full", f"A basket holds {MAX_LINES} styles at most.")
        self.region = region
        self.lines[style] = min(MAX_UNITS, self.lines.get(style, 0) + quantity)
        self.quote_ids.clear()  # other lines now: none of those quotes is made of them
        return switched

    def set_quantity(self, style: str, quantity: int) -> None:
        """Change a line's units; 0 removes the line."""
        if style not in self.lines:
            raise BasketRefused("basket_line_unknown", f"{style} is not in the basket.")
        if quantity == 0:
            del self.lines[style]
        else:
            _check(style, quantity)
            self.lines[style] = quantity
        self.quote_ids.clear()

    def quoted(self, quote_id: str) -> None:
        """Remember a quote made of exactly these lines (the oldest beyond MAX_QUOTES go)."""
        if quote_id not in self.quote_ids:
            self.quote_ids = [*self.quote_ids, quote_id][-MAX_QUOTES:]

    def cart_lines(self) -> list[dict[str, Any]]:
        """The lines as POST /v1/quotes takes them."""
        return [{"style": style, "quantity": units} for style, units in self.lines.items()]

    def to_session(self) -> dict[str, Any]:
        return {"region": self.region, "lines": [[s, n] for s, n in self.lines.items()],
                "quote_ids": self.quote_ids}  # fmt: skip

    @classmethod
    def from_session(cls, data: object) -> Basket:
        """The basket a session holds; an empty one for anything malformed (an old or edited
        cookie never breaks the page)."""
        if not isinstance(data, dict):
            return cls()
        lines: dict[str, int] = {}
        for item in data.get("lines") or []:
            if (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and STYLE.match(item[0]) and isinstance(item[1], int)
                    and 1 <= item[1] <= MAX_UNITS):  # fmt: skip
                lines[item[0]] = item[1]
        region = data.get("region")
        return cls(region if isinstance(region, str) else None,
                   dict(list(lines.items())[:MAX_LINES]), _quote_ids(data))  # fmt: skip


def _quote_ids(data: dict[str, Any]) -> list[str]:
    """The stored quote ids that look like ids, at most MAX_QUOTES; a cookie written before the
    basket kept several has one `quote_id`, which still counts."""
    stored = data.get("quote_ids")
    ids = stored if isinstance(stored, list) else [data.get("quote_id")]
    return [i for i in ids if isinstance(i, str) and QUOTE_ID.match(i)][:MAX_QUOTES]


def _check(style: str, quantity: int) -> None:
    if not STYLE.match(style):
        raise BasketRefused("basket_style_invalid", "That is not a style code.")
    if not 1 <= quantity <= MAX_UNITS:
        raise BasketRefused(
            "basket_quantity_invalid", f"Choose between 1 and {MAX_UNITS} units of a style."
        )


def session_key(customer_id: str | None) -> str:
    """Where a shopper's basket lives in the session: the customer's own, or one per customer
    an agent shops for."""
    return f"basket:{customer_id}" if customer_id else "basket"


def load(session: dict[str, Any], customer_id: str | None) -> Basket:
    return Basket.from_session(session.get(session_key(customer_id)))


def save(session: dict[str, Any], customer_id: str | None, basket: Basket) -> None:
    key = session_key(customer_id)
    session.pop(key, None)  # saved again last: the most recently used basket is the newest
    if basket.lines:
        session[key] = basket.to_session()
    baskets = [k for k in session if k.startswith("basket:")]
    for stale in baskets[:-MAX_AGENT_BASKETS]:
        # An agent's baskets all live in one signed cookie, which a browser drops past 4 KB
        # (and every later change to the session with it): the least recently used go.
        del session[stale]


def forget_if_ordered(session: dict[str, Any], customer_id: str | None, quote_id: str) -> None:
    """An order stands for `quote_id` (placed now, or placed before and found by paying again):
    if that was one of the basket's own quotes (an older one too, paid from another tab), the
    basket is done with (a quote of other items ordered meanwhile leaves the basket alone)."""
    basket = load(session, customer_id)
    if quote_id in basket.quote_ids:
        save(session, customer_id, Basket())


def adopt_if_same(session: dict[str, Any], customer_id: str | None, region: str,
                  lines: dict[str, int], quote_id: str) -> None:  # fmt: skip
    """A quote made of exactly the basket's lines and region (a lapsed basket quote quoted
    again: as a cart, or as one style when the basket holds one line) is one of the basket's
    quotes too, so ordering it empties the basket as its first quote would have."""
    basket = load(session, customer_id)
    if basket.lines and basket.region == region and basket.lines == lines:
        basket.quoted(quote_id)
        save(session, customer_id, basket)
