"""What of a delivered order can still be sent back, read from the order and its returns (both
from the API): each line with the units not yet in a return that counts. The order service
decides (its refusals are explained on the page); this only keeps the form from offering what
it would refuse: a line already sent back in full, or more units than are left."""

from __future__ import annotations

from collections import Counter
from typing import Any

# A return in these states no longer holds its units (the API's rule: not cancelled or expired).
RELEASED = frozenset({"cancelled", "expired"})


def returnable_lines(order: dict[str, Any], returns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{style, name, warehouse, left}] for each line of the order with units left to return."""
    held: Counter[str] = Counter()
    for ret in returns:
        if ret["status"] not in RELEASED:
            for line in ret["lines"]:
                held[line["style"]] += int(line["quantity"])
    lines = []
    for style, name, warehouse, quantity in _bought(order):
        left = quantity - held[style]
        if left > 0:
            lines.append({"style": style, "name": name, "warehouse": warehouse, "left": left})
    return lines


def _bought(order: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    cart = order.get("cart")
    if cart:
        return [(line["style"], line.get("name") or line["style"], parcel["warehouse"],
                 int(line["quantity"]))
                for parcel in cart["shipments"] for line in parcel["lines"]]  # fmt: skip
    quote = order["quote"]
    return [(quote["style"], quote.get("name") or quote["style"], quote.get("warehouse") or "",
             int(quote["quantity"]))]  # fmt: skip
