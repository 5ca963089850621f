"""Quoting and ordering again: what a quote form asks for, and what a payment's answer means.

A quote form names one style or several, each with its units: the catalogue's "Get a quote",
an expired quote's "Get a new quote" and a failed order's "Order the same items again" all post
the same fields, so one route quotes them (one style: a single quote; several: a cart). The
gateway checks every line again; only what it cannot read (units that are not a whole number)
is refused here, with the API's own code.

Paying a quote that was ordered before answers with that earlier order (the orders service is
idempotent per quote, even once the quote expired), whatever became of it: the API says which
with its status (201: placed by this payment; 200: the earlier order), `still_ordered` whether
it stands (a basket of it is then done with), and `ordered_before` words it by what became of
it. So Pay is never taken off a quote by the
console's clock alone: only the API's `quote_expired` says it was never ordered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData

from services.web import labels
from services.web.basket import MAX_LINES, MAX_UNITS
from services.web.formatting import instant


class QuoteRefused(ValueError):
    """Units the form sent that are no number of units at all, with the API's code."""

    code = "quote_invalid_quantity"


@dataclass(frozen=True)
class QuoteAsk:
    region: str
    lines: list[tuple[str, str]]  # (style, units) as typed, in the form's order

    @classmethod
    def of(cls, form: FormData) -> QuoteAsk:
        styles = [str(s)[:16] for s in form.getlist("style")][:MAX_LINES]
        units = [str(q)[:8] for q in form.getlist("quantity")]
        units += ["1"] * (len(styles) - len(units))
        return cls(str(form.get("region") or "")[:2], list(zip(styles, units, strict=False)))

    def typed(self) -> dict[str, str]:
        """The units as typed, by style: what a refused form shows again."""
        return dict(self.lines)

    def body(self, customer_id: str | None) -> dict[str, Any]:
        """POST /v1/quotes: one style with its quantity, or a cart of lines."""
        lines = [{"style": style, "quantity": _units(units)} for style, units in self.lines]
        if len(lines) == 1:
            return {"style": lines[0]["style"], "region": self.region,
                    "quantity": lines[0]["quantity"], "customer_id": customer_id}  # fmt: skip
        return {"region": self.region, "lines": lines, "customer_id": customer_id}


def body_units(body: dict[str, Any]) -> dict[str, int]:
    """The units by style a quote body asks for, one style or a cart: what a basket is compared
    with (a one-line basket quoted again is sent as one style)."""
    if "lines" in body:
        return {line["style"]: line["quantity"] for line in body["lines"]}
    return {body["style"]: body["quantity"]}


def _units(text: str) -> int:
    try:
        units = int(text.strip() or "1")
    except ValueError:
        raise QuoteRefused(f"“{text}” is not a number of units: write a whole number, such as "
                           f"2.") from None  # fmt: skip
    if not 1 <= units <= MAX_UNITS:
        raise QuoteRefused(f"Choose between 1 and {MAX_UNITS} units of a style.")
    return units


def still_ordered(order: dict[str, Any]) -> bool:
    """The order a payment answered with stands (new, or placed before and neither failed nor
    cancelled): what it was quoted from is ordered, so a basket of it is done with."""
    return order.get("status") not in ("failed", "cancelled")


def again_lines(order: dict[str, Any], without: str | None = None) -> list[dict[str, Any]]:
    """What an order held, as a quote form asks for it again: [{style, name, quantity}]; the
    line `without` (the one that sold out) left out."""
    lines = [{"style": line["style"], "name": line.get("name") or line["style"],
              "quantity": line["quantity"]} for line in order.get("lines") or []]  # fmt: skip
    if not lines and order.get("quote"):  # an order view without its lines: what it quoted
        lines = quote_lines(order["quote"])
    return [line for line in lines if line["style"] != without]


def item_name(order: dict[str, Any], style: str | None) -> str:
    """A style of the order by its product name, as it was quoted (the code if unknown)."""
    for line in again_lines(order):
        if line["style"] == style:
            return str(line["name"])
    return style or ""


def price_lapsed(quote: dict[str, Any], now: datetime | None = None) -> bool:
    """The quote's price is no longer locked by the console's clock. Paying it is still offered:
    a quote ordered before is answered with that order, expired or not; an unordered one is
    refused (`quote_expired`), and only then is a new quote the sole way on."""
    ends = instant(quote.get("expires_at"))
    return ends is not None and (now or datetime.now(UTC)) >= ends  # no time: the API decides


def quote_lines(quote: dict[str, Any]) -> list[dict[str, Any]]:
    """What a quote priced, as a quote form asks for it again: [{style, name, quantity}]."""
    if quote.get("shipments"):
        return [{"style": line["style"], "name": line.get("name") or line["style"],
                 "quantity": line["quantity"]}
                for shipment in quote["shipments"] for line in shipment["lines"]]  # fmt: skip
    return [{"style": quote["style"], "name": quote.get("name") or quote["style"],
             "quantity": quote.get("quantity") or 1}]  # fmt: skip


def ordered_before(order: dict[str, Any], placed_on: str) -> tuple[str, str, str]:
    """What to tell her when a payment answered with an earlier order of the quote (placed on
    `placed_on`, a day in her words): (level, title, detail), pointing at what that order's page
    offers: the waitlist for a sold-out item, the same items on a fresh quote, or nothing."""
    status = str(order.get("status"))
    told = f"Order {order['order_id']} was placed from it on {placed_on}"
    if status == "cancelled":
        return ("error", "This quote was already ordered, and that order was cancelled",
                f"{told}. Nothing was charged now. To have the items after all, choose Order "
                "the same items again below: a fresh quote, at today's price.")  # fmt: skip
    if status != "failed":
        return ("success", "This quote was already ordered",
                f"{told} and is {labels.order_status(status).lower()}. Nothing was charged "
                "again.")  # fmt: skip
    return (
        "error",
        "This quote was already ordered, and that order failed",
        f"{told}. Nothing was charged now. {_after_failure(order)}",
    )


def _after_failure(order: dict[str, Any]) -> str:
    failure = order.get("failure") or {}
    gone = failure.get("style") or (order.get("quote") or {}).get("style")
    if failure.get("advice_code") != "join_waitlist" or not gone:
        return "To try again, order the same items on a fresh quote below."
    name = item_name(order, gone)
    if 0 < len(again_lines(order, failure.get("style"))) < len(again_lines(order)):
        return (f"{name} sold out: join its waitlist below, or order the other items on a "
                "fresh quote.")  # fmt: skip
    return f"{name} sold out: join its waitlist below to hear when it can be shipped."
