"""Two quote bodies in three that schemathesis sends get catalogue styles, so its cases reach the
pricing rules instead of stopping at `catalogue_unknown_style`.

The schema publishes a style's shape, not the catalogue (operator data), nor the cart's limits
and distinct styles (services/orders/data/carts_and_returns.json); a fuzzed style is almost never
sold, so nearly every generated `POST /v1/quotes` was refused with 422 and schemathesis warned
"schema validation mismatch". As genuine_labels.py does for label codes, two schema-valid cases
in three get styles from the orders service's reference data (not restricted in the body's
region), distinct within a cart, the cart cut to its line limit and each line's units to the
per-line limit. The third keeps its fuzzed values, so `only_domain_verdicts` still sees them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from importlib import resources
from typing import Any

_DATA = resources.files("services.orders.data")
_CATALOGUE = json.loads(_DATA.joinpath("catalogue.json").read_text())["styles"]
_CART = json.loads(_DATA.joinpath("carts_and_returns.json").read_text())["cart"]
OPERATION = ("POST", "/v1/quotes")
_turns = itertools.count()


def sold_in(region: Any) -> list[str]:
    """Styles of the catalogue not restricted in `region` (every style for an unknown one)."""
    return sorted(s["style"] for s in _CATALOGUE
                  if region not in {r["region"] for r in s["restrictions"]})  # fmt: skip


def _pick(seed: str, styles: list[str]) -> str:
    return styles[hashlib.sha256(seed.encode("utf-8", "surrogatepass")).digest()[0] % len(styles)]


def from_catalogue(body: dict[str, Any]) -> dict[str, Any]:
    body, styles = dict(body), sold_in(body.get("region"))
    if isinstance(body.get("style"), str):
        body["style"] = _pick(body["style"], styles)
        if isinstance(body.get("quantity"), int):
            body["quantity"] = max(1, min(body["quantity"], _CART["max_quantity_per_line"]))
    lines = body.get("lines")
    if isinstance(lines, list) and all(isinstance(line, dict) for line in lines):
        kept = lines[: min(_CART["max_lines"], len(styles))]
        first = styles.index(_pick(json.dumps(kept, sort_keys=True), styles))
        body["lines"] = [
            {**line, "style": styles[(first + i) % len(styles)],
             **({"quantity": max(1, min(line["quantity"], _CART["max_quantity_per_line"]))}
                if isinstance(line.get("quantity"), int) else {})}
            for i, line in enumerate(kept)
        ]  # fmt: skip
    return body


def with_catalogue_styles(method: str, path: str, body: Any, turn: int | None = None) -> Any:
    """Two calls in three on `POST /v1/quotes` get catalogue styles; the third is left fuzzed."""
    if (method.upper(), path) != OPERATION or not isinstance(body, dict):
        return body
    turn = next(_turns) if turn is None else turn
    return body if turn % 3 == 2 else from_catalogue(body)
