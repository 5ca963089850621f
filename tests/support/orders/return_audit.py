"""Returns and exchanges, nothing lost or doubled: the rule the chaos and scale checkers share.

From the system's own state once it has settled (the returns' rows, the stored
`orders.return.refunded` events, the sandbox provider's ledger):

- every return is finished (refunded, cancelled, expired, converted to a claim);
- one return per order (each order is returned at most once by the loads);
- a refunded return has exactly one `orders.return.refunded` event; if that event says money
  went back, exactly one sandbox refund under the return's key (`<return_id>:refund`) of that
  amount, else none; a return that was not refunded has neither;
- no sandbox refund for a return that does not exist.
- exchanges (`resolution: exchange`): a difference the customer owed is charged once, under
  `<return_id>:exchange_difference`, of the amount the return's exchange says, and nothing is
  charged when nothing was owed; a difference owed to the customer is what the refunded event
  paid back; the new item of a refunded exchange is booked with the carrier exactly once, under
  `<return_id>:create_shipment:<warehouse>` from the exchange's warehouse, and is not booked
  for an exchange that was cancelled.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# A return with nothing left to do (`converted_to_claim`: an agent's decision, never in the loads).
DONE_RETURN_STATUSES = {"refunded", "cancelled", "expired", "converted_to_claim"}
REFUNDED = "orders.return.refunded"


@dataclass
class ReturnAudit:
    counts: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    half_done: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.lost + self.duplicates + self.half_done + self.inconsistent


@dataclass
class ReturnState:
    """returns: id -> row (return_id, order_id, status; `exchange`: the document's exchange or
    None); refunded: the data of every `orders.return.refunded` event; refunds, payments,
    shipments: the sandbox ledger's rows (idempotency_key, amount / status / shipment_id)."""

    returns: dict[str, dict[str, Any]]
    refunded: list[dict[str, Any]]
    refunds: list[dict[str, Any]]
    payments: list[dict[str, Any]] = field(default_factory=list)
    shipments: list[dict[str, Any]] = field(default_factory=list)


def audit_returns(s: ReturnState) -> ReturnAudit:
    a = ReturnAudit()
    c = a.counts
    c["returns"] = len(s.returns)
    c["returns_refunded"] = sum(1 for x in s.returns.values() if x["status"] == "refunded")
    for order_id, n in Counter(x["order_id"] for x in s.returns.values()).items():
        if n > 1:
            a.duplicates.append(f"return intent (order {order_id}) created {n} returns")
    c["return_refunded_events"] = len(s.refunded)
    events = Counter(str(e.get("return_id")) for e in s.refunded)
    amounts = {str(e.get("return_id")): Decimal(str(e.get("amount_refunded"))) for e in s.refunded}
    # A return's own refund is keyed `<return_id>:refund`; an exchange's charged difference given
    # back when the exchange is cancelled has its own key (`<return_id>:exchange_cancelled`).
    own = [row for row in s.refunds if ":exchange_" not in row["idempotency_key"]]
    refunds = Counter(_return_of(row["idempotency_key"]) for row in own)
    paid = {_return_of(row["idempotency_key"]): Decimal(str(row["amount"])) for row in own}
    c["refunds_paid"] = sum(refunds[x] for x in s.returns)
    for return_id, x in s.returns.items():
        if x["status"] not in DONE_RETURN_STATUSES:
            a.half_done.append(f"return {return_id} stuck in {x['status']}")
        if x["status"] != "refunded":
            if events[return_id] or refunds[return_id]:
                a.inconsistent.append(f"return {return_id} is {x['status']} but has "
                                      f"{events[return_id]} refunded events, "
                                      f"{refunds[return_id]} refunds")  # fmt: skip
            continue
        _refunded_once(return_id, events[return_id], amounts.get(return_id), refunds, a)
        if events[return_id] and refunds[return_id] and amounts[return_id] != paid[return_id]:
            a.inconsistent.append(f"return {return_id}: event says {amounts[return_id]}, "
                                  f"sandbox refunded {paid[return_id]}")  # fmt: skip
    for return_id in {_return_of(row["idempotency_key"]) for row in s.refunds}:
        if return_id not in s.returns:
            a.inconsistent.append(f"sandbox refund for return {return_id} that does not exist")
    _audit_exchanges(s, amounts, a)
    return a


def _refunded_once(
    return_id: str, events: int, amount: Decimal | None, refunds: Counter[str], a: ReturnAudit
) -> None:
    if events == 0:
        a.lost.append(f"return {return_id} refunded but no {REFUNDED} event")
    elif events > 1:
        a.duplicates.append(f"return {return_id}: {events} {REFUNDED} events")
    owed = amount is None or amount > 0  # an exchange whose customer paid the difference: 0
    if owed and refunds[return_id] == 0:
        a.lost.append(f"return {return_id} refunded but no sandbox refund under its key")
    elif refunds[return_id] > 1:
        a.duplicates.append(f"return {return_id}: {refunds[return_id]} sandbox refunds")
    elif not owed and refunds[return_id]:
        a.inconsistent.append(f"return {return_id}: nothing owed, but a sandbox refund was paid")


def _audit_exchanges(s: ReturnState, refunded: dict[str, Decimal], a: ReturnAudit) -> None:
    charges: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in s.payments:
        return_id, _, step = p["idempotency_key"].partition(":")
        if step == "exchange_difference":
            charges[return_id].append(p)
    booked: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in s.shipments:
        return_id, _, rest = row["idempotency_key"].partition(":")
        if return_id in s.returns and rest.startswith("create_shipment:"):
            booked[return_id].append((rest.removeprefix("create_shipment:"), row["shipment_id"]))
    for return_id, x in s.returns.items():
        exchange = x.get("exchange")
        if exchange is None:
            if charges[return_id] or booked[return_id]:
                a.inconsistent.append(f"return {return_id} (a refund) charged or shipped as an "
                                      "exchange")  # fmt: skip
            continue
        a.counts["exchanges"] += 1
        _difference_once(return_id, x, exchange, charges[return_id], refunded, a)
        _booked_once(return_id, x, exchange, booked[return_id], a)
    for return_id in charges.keys() - s.returns.keys():
        a.inconsistent.append(f"exchange difference charged for return {return_id} that does "
                              "not exist")  # fmt: skip


def _difference_once(
    return_id: str,
    x: dict[str, Any],
    exchange: dict[str, Any],
    charges: list[dict[str, Any]],
    refunded: dict[str, Decimal],
    a: ReturnAudit,
) -> None:
    direction, amount = exchange["direction"], Decimal(str(exchange["difference"]))
    if direction == "charge" and amount > 0:
        if len(charges) != 1:
            (a.lost if not charges else a.duplicates).append(
                f"exchange {return_id}: difference {amount} charged {len(charges)}x"
            )
        elif Decimal(str(charges[0]["amount"])) != amount:
            a.inconsistent.append(f"exchange {return_id}: difference {amount}, charged "
                                  f"{charges[0]['amount']}")  # fmt: skip
        else:
            a.counts["exchange_differences_charged"] += 1
    elif charges:
        a.inconsistent.append(f"exchange {return_id}: nothing owed, {len(charges)} charges")
    if direction == "refund" and x["status"] == "refunded":
        if refunded.get(return_id) != amount:
            a.inconsistent.append(f"exchange {return_id}: difference {amount} owed back, "
                                  f"refunded {refunded.get(return_id)}")  # fmt: skip
        else:
            a.counts["exchange_differences_refunded"] += 1


def _booked_once(
    return_id: str,
    x: dict[str, Any],
    exchange: dict[str, Any],
    booked: list[tuple[str, str]],
    a: ReturnAudit,
) -> None:
    """booked: (warehouse, shipment id) of each carrier booking under the return's keys."""
    if x["status"] == "refunded":
        recorded = (exchange.get("shipment") or [None])[0]
        if not booked:
            a.lost.append(f"exchange {return_id}: new item never booked with the carrier")
        elif len(booked) > 1:
            a.duplicates.append(f"exchange {return_id}: new item booked {len(booked)}x {booked}")
        elif booked[0] != (exchange["warehouse"], recorded):
            a.inconsistent.append(f"exchange {return_id}: booked {booked[0]}, the return says "
                                  f"{(exchange['warehouse'], recorded)}")  # fmt: skip
        else:
            a.counts["exchange_items_booked"] += 1
    elif x["status"] == "cancelled" and booked:
        a.inconsistent.append(f"exchange {return_id} cancelled, new item booked {booked}")


def _return_of(idempotency_key: str) -> str:
    return idempotency_key.split(":", 1)[0]
