"""Repair or replace, in the order the policy publishes.

1. repair, when parts matching the style and colour cover every damaged component at the
   customer's regional repair centre (consumable repairs such as stitching need no part);
2. replace with the same style from the region's stock (the orders service owns that stock: the
   caller passes the quantities it was given);
3. replace with another style of equal or higher regional price, chosen by the customer;
4. store credit at the style's current regional price.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from shared.errors import ErrorKind

from .errors import ResolutionError
from .reference import Catalogue, PartSpec, PartStock, Style


class ResolutionKind(StrEnum):
    REPAIR = "repair"
    REPLACE_SAME = "replace_same"
    REPLACE_OTHER = "replace_other"
    AWAITING_CHOICE = "awaiting_customer_choice"
    STORE_CREDIT = "store_credit"


@dataclass(frozen=True)
class PartUse:
    part: str
    style: str
    colour: str
    region: str
    quantity: int = 1


@dataclass(frozen=True)
class ResolutionPlan:
    kind: ResolutionKind
    reasons: tuple[str, ...]
    parts: tuple[PartUse, ...] = ()
    replacement_style: str | None = None
    options: tuple[str, ...] = ()  # styles the customer may choose from
    credit_amount: Decimal | None = None
    credit_currency: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": str(self.kind),
            "parts": [{"part": p.part, "style": p.style, "colour": p.colour, "quantity": p.quantity}
                      for p in self.parts],
            "replacement_style": self.replacement_style,
            "options": list(self.options),
            "credit_amount": str(self.credit_amount) if self.credit_amount is not None else None,
            "credit_currency": self.credit_currency,
        }  # fmt: skip


def parts_for_repair(
    style: Style,
    region: str,
    components: Iterable[str],
    *,
    parts: Mapping[str, PartSpec],
    consumables: frozenset[str],
    stock: Iterable[PartStock],
) -> tuple[PartUse, ...] | None:
    """The parts that repair every damaged component, or None if the stock cannot.

    Greedy cover: take the in-stock part that fixes most of what is left, preferring the more
    specific part on a tie (a piping kit rather than a whole handle pair for piping alone).
    """
    needed = set(components) - consumables
    available = sorted(
        {
            s.part
            for s in stock
            if s.style == style.code and s.colour == style.colour and s.stock.get(region, 0) > 0
        }
        & set(parts)
    )
    uses: list[PartUse] = []
    while needed:
        candidates = [parts[p] for p in available if parts[p].covers & needed]
        if not candidates:
            return None
        best = max(candidates, key=lambda p: (len(p.covers & needed), -len(p.covers)))
        uses.append(PartUse(best.part, style.code, style.colour, region))
        needed -= best.covers
        available.remove(best.part)
    return tuple(uses)


def plan_resolution(
    *,
    catalogue: Catalogue,
    style_code: str,
    region: str,
    components: Iterable[str],
    region_stock: Mapping[str, int],
    part_stock: Iterable[PartStock] | None = None,
    customer_choice: str | None = None,
) -> ResolutionPlan:
    style = catalogue.style(style_code)
    if style is None:
        raise ResolutionError(
            "Unknown style.", code="resolution_unknown_style", details={"style": style_code}
        )
    stock = catalogue.part_stock if part_stock is None else tuple(part_stock)
    components = tuple(components)
    parts = parts_for_repair(
        style, region, components, parts=catalogue.parts,
        consumables=catalogue.consumable_components, stock=stock,
    )  # fmt: skip
    if parts is not None:
        used = ", ".join(p.part for p in parts) or "no parts (workshop consumables)"
        return ResolutionPlan(
            ResolutionKind.REPAIR, (f"Repair at the {region} repair centre using {used}.",), parts
        )
    why_not = f"No matching parts for {style.code} in {region}."
    if region_stock.get(style.code, 0) > 0:
        reason = f"{why_not} Replace with the same style from {region} stock."
        return ResolutionPlan(ResolutionKind.REPLACE_SAME, (reason,), replacement_style=style.code)
    options = eligible_alternatives(catalogue, style, region, region_stock)
    if customer_choice is not None:
        return _chosen(style, region, options, customer_choice, why_not)
    if options:
        reason = f"{why_not} {style.code} is out of stock in {region}: the customer chooses a replacement."
        return ResolutionPlan(ResolutionKind.AWAITING_CHOICE, (reason,), options=options)
    return store_credit(style, region, catalogue.currencies, why_not)


def eligible_alternatives(
    catalogue: Catalogue, style: Style, region: str, region_stock: Mapping[str, int]
) -> tuple[str, ...]:
    own_price = style.price_in(region)
    if own_price is None:
        return ()
    return tuple(
        sorted(
            other.code
            for other in catalogue.styles.values()
            if other.code != style.code
            and region_stock.get(other.code, 0) > 0
            and (price := other.price_in(region)) is not None
            and price >= own_price
        )
    )


def _chosen(
    style: Style, region: str, options: tuple[str, ...], choice: str, why_not: str
) -> ResolutionPlan:
    if choice not in options:
        raise ResolutionError(
            "The chosen style is not an eligible replacement.",
            code="resolution_choice_not_eligible",
            details={"choice": choice, "options": list(options)},
        )
    reason = f"{why_not} Replace {style.code} with {choice}, chosen by the customer."
    return ResolutionPlan(
        ResolutionKind.REPLACE_OTHER, (reason,), replacement_style=choice, options=options
    )


def store_credit(
    style: Style, region: str, currencies: Mapping[str, str], why_not: str = ""
) -> ResolutionPlan:
    price = style.price_in(region)
    currency = currencies.get(region)
    if price is None:
        reason = f"{why_not} No replacement available; {style.code} has no {region} price: an agent sets the credit."
        return ResolutionPlan(
            ResolutionKind.STORE_CREDIT, (reason.strip(),), credit_currency=currency
        )
    reason = f"{why_not} No replacement available: store credit of {price} {currency}."
    return ResolutionPlan(
        ResolutionKind.STORE_CREDIT,
        (reason.strip(),),
        credit_amount=price,
        credit_currency=currency,
    )


StockKey = tuple[str, str, str, str]  # part, style, colour, region


def reserve_parts(levels: Mapping[StockKey, int], uses: Iterable[PartUse]) -> dict[StockKey, int]:
    """New stock levels after taking `uses`; refuses (and changes nothing) if any part ran out."""
    new = dict(levels)
    for use in uses:
        key = (use.part, use.style, use.colour, use.region)
        if new.get(key, 0) < use.quantity:
            raise ResolutionError(
                "A repair part is no longer in stock.",
                code="repair_parts_unavailable",
                kind=ErrorKind.CONFLICT,
                details={"part": use.part, "style": use.style, "region": use.region},
            )
        new[key] -= use.quantity
    return new


def stock_levels(stock: Iterable[PartStock]) -> dict[StockKey, int]:
    return {(s.part, s.style, s.colour, r): n for s in stock for r, n in s.stock.items()}
