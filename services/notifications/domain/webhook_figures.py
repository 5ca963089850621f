"""Figures a partner webhook may carry besides ids, per event-type prefix.

Finance partners reconcile returns from the refund's amounts, with the duty and import VAT the
brand can reclaim. Amounts, currency, status and style codes only: never a name, an address or
free text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FIGURE_FIELDS: Mapping[str, frozenset[str]] = {
    "orders.return.": frozenset(
        {"return_number", "status", "resolution", "currency", "amount_refunded", "refund",
         "charged", "refunded", "exchange_outcome"}
    ),
}  # fmt: skip


def figures(event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    for prefix, names in FIGURE_FIELDS.items():
        if event_type.startswith(prefix):
            return {k: data[k] for k in sorted(names) if data.get(k) is not None}
    return {}
