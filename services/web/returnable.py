"""What of a delivered order can still be sent back, as the order service says it
(`GET /v1/orders/{id}`): each line's `returnable_quantity` (the units not in a return that
counts: the service's rule, not repeated here), while its parcel's return window is open
(`returns_close_at`). The service decides (its refusals are explained on the page); this only
keeps the form from offering what it would refuse: a line sent back in full, more units than
are left, a window that closed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.web.formatting import instant


def returnable_lines(order: dict[str, Any], now: datetime | None = None) -> list[dict[str, Any]]:
    """[{style, name, warehouse, left}] for each line with units left and its window open."""
    now, until = now or datetime.now(UTC), returns_until(order)
    lines = []
    for line in order.get("lines") or []:
        left, closes = int(line["returnable_quantity"]), until.get(line["warehouse"])
        if left > 0 and (closes is None or now <= closes):
            lines.append({"style": line["style"], "name": line.get("name") or line["style"],
                          "warehouse": line["warehouse"], "left": left})  # fmt: skip
    return lines


def all_held(order: dict[str, Any]) -> bool:
    """Nothing of the order is left to send back: every unit is in a return that counts."""
    lines = order.get("lines") or []
    return bool(lines) and all(int(line["returnable_quantity"]) == 0 for line in lines)


def returns_closed_on(order: dict[str, Any], now: datetime | None = None) -> datetime | None:
    """When the last of the order's return windows closed, once every one has; else None."""
    closes = list(returns_until(order).values())
    if not closes or any(c is None or c >= (now or datetime.now(UTC)) for c in closes):
        return None
    return max(c for c in closes if c is not None)


def returns_until(order: dict[str, Any]) -> dict[str, datetime | None]:
    """When each parcel's return window closes, by warehouse (None: not delivered yet)."""
    return {p["warehouse"]: instant(p.get("returns_close_at"))
            for p in order.get("shipments") or []}  # fmt: skip
