"""Read the system's own state for the checker, and wait until it has settled.

Sources: the gateway API (every 2xx object must be readable by its owner), the JetStream
streams (read directly with nats-py, every message), the service databases (SQLite files read
with SQLAlchemy), the SMTP server's captured messages and the partner endpoint's log.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import orjson
import sqlalchemy as sa

from shared.contracts.registry import load_all
from tests.chaos.checker import DONE_ORDER_STATUSES, Event, Snapshot
from tests.chaos.conftest import ChaosStack
from tests.chaos.load import LoadGenerator
from tests.chaos.return_checks import DONE_RETURN_STATUSES
from tests.support.streams import stream_messages

STREAMS = ("WARRANTY", "ORDERS", "NOTIFICATIONS")


def query(db: Path, sql: str) -> list[dict[str, Any]]:
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


async def read_stream(js: Any, stream: str) -> list[Event]:
    events = []
    for msg in await stream_messages(js, stream, fetch_timeout=2):
        e = orjson.loads(msg.data)
        when = datetime.fromisoformat(e["time"]).timestamp()
        events.append(Event(stream, msg.metadata.sequence.stream, e["id"], e["type"],
                            e["subject"], e.get("data") or {}, when))  # fmt: skip
    return events


async def consumers_idle(js: Any) -> list[str]:
    """Durable consumers still holding work: (name, pending, ack pending)."""
    busy = []
    for stream in STREAMS:
        for info in await js.consumers_info(stream):
            if info.num_pending or info.num_ack_pending:
                busy.append(f"{info.name}: {info.num_pending} pending, "
                            f"{info.num_ack_pending} unacked")  # fmt: skip
    return busy


def pending_work(chaos: ChaosStack) -> list[str]:
    """What the services still have to do, from their databases."""
    out = []
    for service in ("warranty", "orders", "notifications"):
        n = query(chaos.database(service), "SELECT count(*) n FROM outbox "
                  "WHERE published_at IS NULL")[0]["n"]  # fmt: skip
        if n:
            out.append(f"{service}: {n} outbox rows unpublished")
    done = ",".join(f"'{s}'" for s in DONE_ORDER_STATUSES)
    n = query(
        chaos.database("orders"), f"SELECT count(*) n FROM orders WHERE status NOT IN ({done})"
    )
    if n[0]["n"]:
        out.append(f"orders: {n[0]['n']} orders not finished")
    done = ",".join(f"'{s}'" for s in DONE_RETURN_STATUSES)
    n = query(
        chaos.database("orders"), f"SELECT count(*) n FROM returns WHERE status NOT IN ({done})"
    )
    if n[0]["n"]:
        out.append(f"orders: {n[0]['n']} returns not finished")
    n = query(chaos.database("notifications"),
              "SELECT count(*) n FROM deliveries WHERE status IN ('pending', 'sending')")  # fmt: skip
    if n[0]["n"]:
        out.append(f"notifications: {n[0]['n']} messages not sent")
    n = query(chaos.database("notifications"),
              "SELECT count(*) n FROM webhook_deliveries WHERE status = 'pending'")  # fmt: skip
    if n[0]["n"]:
        out.append(f"notifications: {n[0]['n']} webhooks pending")
    return out


async def wait_settled(chaos: ChaosStack, timeout: float) -> list[str]:
    """Poll until nothing is in flight (or the deadline); returns what was still busy."""
    nc = await nats.connect(chaos.nats_url)
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + timeout
        quiet_since: float | None = None
        while True:
            busy = pending_work(chaos) + await consumers_idle(js)
            now = time.monotonic()
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since > 3.0:  # quiet for a while: follow-up work had its chance
                return []
            if now > deadline:
                return busy
            await asyncio.sleep(0.5)
    finally:
        await nc.close()


async def collect(chaos: ChaosStack, load: LoadGenerator, webhook: dict[str, Any]) -> Snapshot:
    s = Snapshot(requests=[r.summary() for r in load.records], customers=set(load.customers))
    mine = ",".join(f"'{c}'" for c in load.customers)
    orders_db, warranty_db = chaos.database("orders"), chaos.database("warranty")
    notifications_db = chaos.database("notifications")
    for row in query(orders_db, f"SELECT * FROM orders WHERE customer_id IN ({mine})"):
        s.orders[row["order_id"]] = {**row, "timeline": []}
    s.quotes = {r["quote_id"]: r["customer_id"] for r in
                query(orders_db, f"SELECT quote_id, customer_id FROM quotes WHERE customer_id IN ({mine})")}  # fmt: skip
    s.returns = {r["return_id"]: _return_row(r) for r in query(orders_db, "SELECT return_id, "
                 f"order_id, customer_id, status, document FROM returns WHERE customer_id IN "
                 f"({mine})")}  # fmt: skip
    for row in query(warranty_db, f"SELECT * FROM claims WHERE customer_id IN ({mine})"):
        s.claims[row["id"]] = {**row, "transitions": []}
    for row in query(warranty_db, "SELECT claim_id, to_status FROM claim_transitions ORDER BY seq"):
        if row["claim_id"] in s.claims:
            s.claims[row["claim_id"]]["transitions"].append(row["to_status"])
    await _read_api(chaos, load, s)
    nc = await nats.connect(chaos.nats_url)
    try:
        js = nc.jetstream()
        for stream in STREAMS:
            s.events += await read_stream(js, stream)
    finally:
        await nc.close()
    s.consumer_inbox = {(r["consumer"], r["event_id"]) for r in
                        query(notifications_db, "SELECT consumer, event_id FROM inbox")}  # fmt: skip
    s.deliveries = query(notifications_db, "SELECT id, event_id, event_type, kind, channel, "
                         "recipient, customer_id, status FROM deliveries")  # fmt: skip
    s.inbox_items = {r["id"] for r in query(notifications_db, "SELECT id FROM inbox_items")}
    s.mail_ids = [str(m.get("Message-ID", "")).strip() for m in list(chaos.mail.messages)]
    s.webhook_types = list(webhook.get("event_types", []))
    s.webhook_since = float(webhook.get("since", 0.0))
    s.webhook_deliveries = query(notifications_db, "SELECT event_id, event_type, status FROM "
                                 f"webhook_deliveries WHERE endpoint_id = '{webhook.get('id')}'")  # fmt: skip
    with chaos.partner.lock:
        s.webhook_hits = [{"webhook_id": h.webhook_id, "status": h.status, "type": h.event_type}
                          for h in chaos.partner.hits]  # fmt: skip
    s.partner_visible = {t for t, spec in load_all().items() if spec.partner_visible}
    s.reservations = query(orders_db, "SELECT * FROM reservations WHERE purpose != 'replacement'")
    s.stock = query(orders_db, "SELECT * FROM stock")
    # The sandbox payment provider keeps its ledger in its own SQLite file (see sandbox_journal).
    sandbox = orders_db.with_name("orders-sandbox.db")
    s.payments = query(sandbox if sandbox.exists() else orders_db,
                       "SELECT idempotency_key, status, amount FROM sandbox_payments")  # fmt: skip
    s.shipments = query(sandbox if sandbox.exists() else orders_db,
                        "SELECT idempotency_key, shipment_id FROM sandbox_shipments")  # fmt: skip
    s.refunds = query(sandbox if sandbox.exists() else orders_db,
                      "SELECT idempotency_key, refund_id, amount FROM sandbox_refunds")  # fmt: skip
    return s


def _return_row(row: dict[str, Any]) -> dict[str, Any]:
    """A return's row with its exchange (None for a refund) out of its document."""
    document = _json(row.pop("document"))
    return {**row, "exchange": document.get("exchange")}


async def _read_api(chaos: ChaosStack, load: LoadGenerator, s: Snapshot) -> None:
    """Every 2xx order and claim, read back through the gateway by its owner."""
    owners: dict[str, tuple[str, str]] = {}
    for q in s.requests:
        if q["op"] in ("order", "claim") and q["status"] and 200 <= q["status"] < 300:
            resp = q["response"] or {}
            owners[str(resp.get("order_id") or resp.get("id"))] = (q["customer"], q["op"] + "s")
    for order_id, o in s.orders.items():
        owners.setdefault(order_id, (o["customer_id"], "orders"))
    sem = asyncio.Semaphore(8)

    async def read(object_id: str, customer: str, kind: str) -> None:
        r = httpx.Response(599)
        async with sem, load.client(customer) as client:
            for _ in range(5):
                try:
                    r = await client.get(f"/v1/{kind}/{object_id}")
                except httpx.HTTPError:
                    await asyncio.sleep(1)
                    continue
                if r.status_code < 500:
                    break
                await asyncio.sleep(1)
            if r.status_code == 404:
                s.api_missing.append(object_id)
            elif kind == "orders" and r.status_code == 200 and object_id in s.orders:
                s.orders[object_id]["timeline"] = [t["status"] for t in r.json()["timeline"]]

    await asyncio.gather(*(read(i, c, k) for i, (c, k) in owners.items()))
