"""What of a delivered order can still be sent back, read from the order and its returns (both
from the API): each line with the units not yet in a return that counts, while its parcel's
return window is open (`returns_close_at`, which the order service computes). The service
decides (its refusals are explained on the page); this only keeps the form from offering what
it would refuse: a line sent back in full, more units than are left, a window that closed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

# A return in these states no longer holds its units (the API's rule: not cancelled or expired).
RELEASED = frozenset({"cancelled", "expired"})


def returnable_lines(
    order: dict[str, Any], returns: list[dict[str, Any]], now: datetime | None = None
) -> list[dict[str, Any]]:
    """[{style, name, warehouse, left}] for each line with units left and its window open."""
    now = now or datetime.now(UTC)
    held = _held(returns)
    lines = []
    for style, name, warehouse, quantity in _bought(order):
        left = quantity - held[style]
        closes = _closes(order, warehouse)
        if left > 0 and (closes is None or now <= closes):
            lines.append({"style": style, "name": name, "warehouse": warehouse, "left": left})
    return lines


def all_held(order: dict[str, Any], returns: list[dict[str, Any]]) -> bool:
    """Every unit the order brought is in a return that counts."""
    held = _held(returns)
    return all(quantity <= held[style] for style, _n, _w, quantity in _bought(order))


def _held(returns: list[dict[str, Any]]) -> Counter[str]:
    held: Counter[str] = Counter()
    for ret in returns:
        if ret["status"] not in RELEASED:
            for line in ret["lines"]:
                held[line["style"]] += int(line["quantity"])
    return held


def returns_closed_on(order: dict[str, Any], now: datetime | None = None) -> datetime | None:
    """When the last of the order's return windows closed, once every one has; else None."""
    closes = [_closes(order, parcel["warehouse"]) for parcel in order.get("shipments") or []]
    if not closes or any(c is None or c >= (now or datetime.now(UTC)) for c in closes):
        return None
    return max(c for c in closes if c is not None)


def _closes(order: dict[str, Any], warehouse: str) -> datetime | None:
    for parcel in order.get("shipments") or []:
        if parcel["warehouse"] == warehouse and parcel.get("returns_close_at"):
            return datetime.fromisoformat(str(parcel["returns_close_at"]).replace("Z", "+00:00"))
    return None


def _bought(order: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    cart = order.get("cart")
    if cart:
        return [(line["style"], line.get("name") or line["style"], parcel["warehouse"],
                 int(line["quantity"]))
                for parcel in cart["shipments"] for line in parcel["lines"]]  # fmt: skip
    quote = order["quote"]
    return [(quote["style"], quote.get("name") or quote["style"], quote.get("warehouse") or "",
             int(quote["quantity"]))]  # fmt: skip
