"""The verdict: every acknowledged order, claim and return exactly once, with all its events and
all its customer notifications exactly once, every return refunded once and every exchange
settled once (tests/support/orders/return_audit.py, the rule the chaos suite applies too), the
work split between the replicas, nothing applied twice.

`gather()` reads the state (observe.py); `judge()` is pure and fills a Report whose `text()` is
printed by the test whatever the outcome.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from services.notifications.domain.channels import Channel
from services.notifications.domain.messages import EVENT_MESSAGES, DeliveryKey
from tests.scale import observe
from tests.scale.load import REPAIR_STEPS, Load
from tests.scale.stack import ScaleStack
from tests.support.orders.return_audit import REFUNDED, ReturnState, audit_returns

CHANNELS = ("email", "in_app")  # the customers registered an email address and nothing else
# A claim's timeline status and the `data.status` its event carries are the same word.
ORDER_EVENT_FOR_STATUS = {"pending": "placed"}
EVENT_FOR_STATUS = {"order": ORDER_EVENT_FOR_STATUS, "return": {"awaiting_parcel": "requested"}}
# Published once per parcel of an order (a cart order has one parcel per warehouse).
PER_PARCEL_TYPES = {"orders.order.shipment_created", "orders.order.shipment_updated"}


@dataclass
class State:
    load: Load
    orders: list[dict[str, Any]] = field(default_factory=list)  # DB rows of our customers
    claims: list[dict[str, Any]] = field(default_factory=list)
    returns: list[dict[str, Any]] = field(default_factory=list)  # with `exchange` (or None)
    sandbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # refunds, payments...
    quotes: list[dict[str, Any]] = field(default_factory=list)
    api: dict[str, tuple[int | None, Any]] = field(default_factory=dict)  # id -> GET answer
    timelines: dict[str, list[str]] = field(default_factory=dict)  # id -> statuses (API)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # stream -> events
    health: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    inbox_rows: dict[str, int] = field(default_factory=dict)  # consumer -> inbox rows
    api_inbox: dict[str, list[dict[str, Any]] | str] = field(default_factory=dict)  # or error
    mail_ids: list[str] = field(default_factory=list)
    logs: dict[str, Counter[str]] = field(default_factory=dict)
    ready: dict[str, int] = field(default_factory=dict)  # process -> /readyz status at the end


@dataclass
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = ["scale-out verdict"] + [f"  {k}: {v}" for k, v in sorted(self.counts.items())]
        lines += [f"  PROBLEM: {p}" for p in self.problems[:40]]
        if len(self.problems) > 40:
            lines.append(f"  PROBLEM: ... and {len(self.problems) - 40} more")
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])


async def gather(stack: ScaleStack, load: Load, faults_over: str) -> State:
    s = State(load)
    s.ready = await asyncio.to_thread(observe.readiness, stack)
    mine = list(load.customers)
    s.orders = await observe.sql(stack, "orders", "SELECT order_id, customer_id, quote_id, "
                                 "status FROM orders WHERE customer_id = ANY($1)", mine)  # fmt: skip
    s.quotes = await observe.sql(stack, "orders", "SELECT quote_id, customer_id FROM quotes "
                                 "WHERE customer_id = ANY($1)", mine)  # fmt: skip
    s.returns = [_return_row(r) for r in await observe.sql(stack, "orders", "SELECT return_id, "
                 "order_id, customer_id, status, document FROM returns WHERE customer_id = "
                 "ANY($1)", mine)]  # fmt: skip
    for table, columns in (("refunds", "amount"), ("payments", "amount, status"),
                           ("shipments", "shipment_id")):  # fmt: skip
        s.sandbox[table] = await observe.sql(stack, "orders", f"SELECT idempotency_key, {columns} "
                                             f"FROM sandbox_{table}")  # fmt: skip
    s.claims = await observe.sql(stack, "warranty", "SELECT id, customer_id, label_code, status "
                                 "FROM claims WHERE customer_id = ANY($1)", mine)  # fmt: skip
    s.deliveries = await observe.sql(stack, "notifications", "SELECT id, event_id, kind, channel, "
                                     "recipient, customer_id, status FROM deliveries")  # fmt: skip
    rows = await observe.sql(stack, "notifications", "SELECT consumer, count(*) n FROM inbox "
                             "GROUP BY consumer")  # fmt: skip
    s.inbox_rows = {r["consumer"]: r["n"] for r in rows}
    nc = await observe.connect(stack)
    try:
        js = nc.jetstream(timeout=10)
        s.health = await observe.wait_replicas_current(js, timeout=60)
        for stream in observe.STREAMS:
            s.events[stream] = await observe.read_stream(js, stream)
    finally:
        await nc.close()
    if all(code == 200 for code in s.ready.values()):
        await _read_api(load, s)  # else every read would wait out its retries: judged below
    s.mail_ids = [str(m.get("Message-ID", "")).strip() for m in list(stack.mail.messages)]
    s.logs = observe.log_counts(stack, faults_over)
    return s


def _return_row(row: dict[str, Any]) -> dict[str, Any]:
    """A return's row with its exchange (None for a refund) out of its document."""
    document = row.pop("document")
    document = json.loads(document) if isinstance(document, str | bytes) else document
    return {**row, "exchange": document.get("exchange")}


async def _read_api(load: Load, s: State) -> None:
    clients = {c: load.client(c) for c in load.customers}
    sem = asyncio.Semaphore(8)

    async def read(kind: str, object_id: str, customer: str) -> None:
        async with sem:
            s.api[object_id] = await observe.api_get(clients[customer], f"/v1/{kind}s/{object_id}")
            if kind == "claim":
                _, body = await observe.api_get(
                    clients[customer], f"/v1/claims/{object_id}/timeline"
                )
                s.timelines[object_id] = [e["to_status"] for e in (body or {}).get("entries", [])]
            elif s.api[object_id][0] == 200:
                s.timelines[object_id] = [t["status"] for t in s.api[object_id][1]["timeline"]]

    async def inbox(customer: str) -> None:
        async with sem:
            s.api_inbox[customer] = await observe.inbox_items(clients[customer])

    await asyncio.gather(*(read(a.kind, a.id, a.customer) for a in s.load.acked),
                         *(inbox(c) for c in load.customers))  # fmt: skip


def judge(s: State, killed_service: str) -> Report:
    r = Report()
    if not s.api_inbox:
        down = {name: code for name, code in s.ready.items() if code != 200}
        r.problems.append(f"processes not ready at the end {down}: API checks skipped")
        _replicas(s, r, killed_service)
        return r
    _objects(s, r)
    owners = {o["order_id"]: o["customer_id"] for o in s.orders}
    owners |= {c["id"]: c["customer_id"] for c in s.claims}
    owners |= {x["return_id"]: x["customer_id"] for x in s.returns}
    _events(s, r, owners)
    _returns(s, r)
    _notifications(s, r, owners)
    _replicas(s, r, killed_service)
    return r


def _objects(s: State, r: Report) -> None:
    c = r.counts
    db = {"order": Counter(o["order_id"] for o in s.orders),
          "claim": Counter(x["id"] for x in s.claims),
          "return": Counter(x["return_id"] for x in s.returns)}  # fmt: skip
    acked_ids: dict[str, set[str]] = defaultdict(set)
    for a in s.load.acked:
        acked_ids[a.intent].add(a.id)
        found = db[a.kind][a.id]
        if found != 1:
            r.problems.append(f"acked {a.kind} {a.id} found {found}x in PostgreSQL")
        status, body = s.api.get(a.id, (None, None))
        if status != 200 or (body or {}).get("customer_id", a.customer) != a.customer:
            r.problems.append(f"acked {a.kind} {a.id}: GET through the gateway -> {status}")
        c[f"{a.kind}s_acked_found_once"] += found == 1 and status == 200
    for intent, ids in acked_ids.items():
        if len(ids) > 1:
            r.problems.append(f"one intent {intent} acknowledged as {sorted(ids)}")
    for label, n in Counter(x["label_code"] for x in s.claims).items():
        if n > 1:
            r.problems.append(f"label {label}: {n} claims for one POST /v1/claims intent")
    for quote, n in Counter(o["quote_id"] for o in s.orders).items():
        if n > 1:
            r.problems.append(f"quote {quote}: {n} orders")
    acked = {a.id for a in s.load.acked}
    c["orders_in_db"], c["claims_in_db"] = len(s.orders), len(s.claims)
    c["returns_in_db"] = len(s.returns)
    c["objects_created_but_not_acked"] = sum(
        1 for i in (*db["order"], *db["claim"], *db["return"]) if i not in acked
    )
    c["orders_delivered"] = sum(o["status"] == "delivered" for o in s.orders)
    c["orders_failed"] = sum(o["status"] == "failed" for o in s.orders)
    for a in s.load.acked:
        body = s.api.get(a.id, (None, None))[1] or {}
        if a.kind == "order" and body.get("status") == "failed":
            c[f"orders_failed_{(body.get('failure') or {}).get('reason_code')}"] += 1
    for o in s.orders:
        if o["status"] not in observe.DONE_ORDER_STATUSES:
            r.problems.append(f"order {o['order_id']} stuck in {o['status']}")
    for a in s.load.acked:
        if a.kind == "claim" and len(a.steps) == len(REPAIR_STEPS):
            status = (s.api.get(a.id, (None, {}))[1] or {}).get("status")
            if status != "closed":
                r.problems.append(f"claim {a.id}: all repair steps acked but status {status}")


def _events(s: State, r: Report, owners: dict[str, str]) -> None:
    c = r.counts
    for stream, events in s.events.items():
        c[f"events_{stream}"] = len(events)
        for eid, n in Counter(e["id"] for e in events).items():
            if n > 1:
                r.problems.append(f"event {eid} stored {n}x in {stream}")
        for e in events:
            if e["_msg_id"] != e["id"]:
                r.problems.append(f"{stream} seq {e['_seq']}: Nats-Msg-Id {e['_msg_id']} != id")
    domain = [e for st in ("WARRANTY", "ORDERS") for e in s.events.get(st, [])]
    per_transition: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for e in domain:
        per_transition[_transition(e)].add(e["id"])
    for transition, ids in per_transition.items():
        if len(ids) > 1:
            r.problems.append(f"{len(ids)} event ids for one transition {transition}")
    by_subject: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in domain:
        by_subject[e["subject"]].append(e)
    for a in s.load.acked:
        mine = by_subject.get(a.id, [])
        timeline = s.timelines.get(a.id, [])
        if a.kind in EVENT_FOR_STATUS:
            have = {e["type"] for e in mine}
            wanted = [f"orders.{a.kind}.{EVENT_FOR_STATUS[a.kind].get(t, t)}" for t in timeline]
        else:
            have = {(e.get("data") or {}).get("status") for e in mine}
            wanted = list(timeline)
        missing = [w for w in wanted if w not in have]
        if not timeline or missing:
            r.problems.append(f"{a.kind} {a.id} (timeline {timeline}): no event for {missing}")
        c[f"{a.kind}_events"] += len(mine)
    quotes = {q["quote_id"] for q in s.quotes}
    known = set(owners) | quotes
    unknown = Counter(e["type"] for e in domain if e["subject"] not in known)
    c["quotes_in_db"] = len(quotes)
    if unknown:
        r.problems.append(f"events for objects no database knows: {dict(unknown)}")


def _transition(e: dict[str, Any]) -> tuple[str, ...]:
    if e["type"] in PER_PARCEL_TYPES:  # one per parcel (and parcel status) of a cart order
        data = e.get("data") or {}
        parcel = (str(data.get("shipment_id")), str(data.get("shipment_status", "")))
        return (e["type"], e["subject"], *parcel)
    return (e["type"], e["subject"])


def _returns(s: State, r: Report) -> None:
    """Every return refunded exactly once, every exchange settled once (return_audit.py)."""
    refunded = [e.get("data") or {} for e in s.events.get("ORDERS", []) if e["type"] == REFUNDED]
    state = ReturnState(
        returns={x["return_id"]: x for x in s.returns},
        refunded=refunded,
        refunds=s.sandbox.get("refunds", []),
        payments=s.sandbox.get("payments", []),
        shipments=s.sandbox.get("shipments", []),
    )
    audit = audit_returns(state)
    r.counts.update(audit.counts)
    r.problems += audit.problems


def _notifications(s: State, r: Report, owners: dict[str, str]) -> None:
    c = r.counts
    expected: Counter[tuple[str, str, str]] = Counter()  # (event id, kind, channel)
    per_object: dict[str, Counter[str]] = defaultdict(Counter)  # customer -> "object:kind"
    mail_ids: Counter[str] = Counter()
    for e in (e for st in ("WARRANTY", "ORDERS") for e in s.events.get(st, [])):
        customer = owners.get(e["subject"])
        if customer is None:
            continue
        for kind in EVENT_MESSAGES.get(e["type"], ()):
            for channel in CHANNELS:
                expected[(e["id"], kind, channel)] += 1
            data = e.get("data") or {}  # the inbox files a return's messages under its order
            about = data.get("claim_id") or data.get("order_id") or e["subject"]
            per_object[customer][f"{about}:{kind}"] += 1
            mail_ids[f"<{DeliveryKey(e['id'], kind, Channel.EMAIL, customer).digest}@"
                     "notifications.concierge.local>"] += 1  # fmt: skip
    rows = Counter((d["event_id"], d["kind"], d["channel"]) for d in s.deliveries)
    for key in expected.keys() | rows.keys():
        if rows[key] != 1 or key not in expected:
            r.problems.append(f"delivery {key}: {rows[key]} rows, expected {expected[key]}")
    for d in s.deliveries:
        if d["status"] not in ("sent", "delivered"):
            r.problems.append(f"message {d['id']} ({d['kind']}/{d['channel']}) is {d['status']}")
    captured = Counter(s.mail_ids)
    for mid in mail_ids.keys() | captured.keys():
        if captured[mid] != 1 or mid not in mail_ids:
            r.problems.append(f"email {mid}: captured {captured[mid]}x, expected {mail_ids[mid]}")
    for customer, items in s.api_inbox.items():
        if isinstance(items, str):
            r.problems.append(f"{customer}: in-app inbox not readable: {items}")
            continue
        got = Counter(f"{i.get('claim_id') or i.get('order_id')}:{i['kind']}" for i in items)
        if got != per_object[customer]:
            diff = (got - per_object[customer]) + (per_object[customer] - got)
            r.problems.append(f"{customer}: in-app inbox differs from events: {dict(diff)}")
        if len({i["id"] for i in items}) != len(items):
            r.problems.append(f"{customer}: the inbox API listed an item twice")
    c["notifications_expected"] = sum(expected.values())
    c["deliveries_rows"] = len(s.deliveries)
    c["emails_captured"] = len(s.mail_ids)
    c["in_app_items_via_api"] = sum(len(i) for i in s.api_inbox.values() if isinstance(i, list))


def _replicas(s: State, r: Report, killed_service: str) -> None:
    c = r.counts
    for stream, h in s.health.items():
        c[f"stream_{stream}_replicas"] = h["replicas"]
        if h["replicas"] != 3 or len(h["peers"]) != 2 or not all(ok for _, ok in h["peers"]):
            r.problems.append(f"{stream} not R3 with two current followers: {h}")
    for label, counts in sorted(s.logs.items()):
        service = label.rsplit("-", 1)[0]
        metric = {"notifications": "events.applied", "gateway": None}.get(service, "rpc.handled")
        if s.ready.get(label) != 200:
            r.problems.append(f"{label}: /readyz answers {s.ready.get(label)} at the end")
        if metric:
            c[f"{label}_{metric}"] = counts[metric]
            c[f"{label}_{metric}_after_faults"] = counts[f"late:{metric}"]
            if counts[f"late:{metric}"] == 0:
                r.problems.append(f"{label} did no work after the faults ({metric}): a replica "
                                  "that stopped working, or replicas that do not split")  # fmt: skip
        if service == "notifications":  # issue 20: every replica works on every consumer
            for consumer in sorted(s.inbox_rows):
                if counts[f"applied:{consumer}"] == 0:
                    r.problems.append(f"{label} applied no event of {consumer}: a replica "
                                      "bound to no consumer")  # fmt: skip
        for bad in ("rpc.failed", "background.crashed"):
            if counts[bad]:
                r.notes.append(f"{label}: {counts[bad]} {bad} log lines")
    consumed = len(s.events.get("WARRANTY", [])) + len(s.events.get("ORDERS", []))
    inbox_total = sum(s.inbox_rows.values())
    applied = {k: sum(v[f"applied:{k}"] for v in s.logs.values()) for k in s.inbox_rows}
    c["inbox_rows"], c["events_applied_logged"] = inbox_total, sum(applied.values())
    if inbox_total != consumed:
        r.problems.append(f"inbox holds {inbox_total} events, streams hold {consumed}")
    for consumer, rows in s.inbox_rows.items():
        # Each apply is logged after its commit; a process SIGKILLed between the two may
        # under-count, never over-count. More log than inbox rows = an event applied twice.
        if applied[consumer] > rows or (
            killed_service != "notifications" and applied[consumer] != rows
        ):
            r.problems.append(f"{consumer}: {applied[consumer]} events applied (logs) for "
                              f"{rows} inbox rows")  # fmt: skip
