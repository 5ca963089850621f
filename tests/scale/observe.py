"""Reading the system's own state: PostgreSQL rows, R3 stream contents and health, the gateway's
answers, and the processes' JSON logs."""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from collections import Counter
from typing import Any

import asyncpg
import nats
import orjson

from shared.nats_conn import server_list
from tests.scale.load import Client
from tests.scale.stack import ScaleStack
from tests.support.orders.return_audit import DONE_RETURN_STATUSES
from tests.support.streams import stream_messages

STREAMS = ("WARRANTY", "ORDERS", "NOTIFICATIONS")
DONE_ORDER_STATUSES = ("delivered", "failed", "cancelled", "refunded")


async def sql(stack: ScaleStack, service: str, query: str, *args: Any) -> list[dict[str, Any]]:
    dsn = stack.db_urls[service].replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        return [dict(r) for r in await conn.fetch(query, *args)]
    finally:
        await conn.close()


async def connect(stack: ScaleStack) -> Any:
    servers = server_list(stack.nats_url)
    return await nats.connect(servers, max_reconnect_attempts=-1, reconnect_time_wait=0.5)


async def read_stream(js: Any, stream: str) -> list[dict[str, Any]]:
    """Every message of a stream as decoded CloudEvents plus the stream sequence and the
    Nats-Msg-Id header."""
    events = []
    for msg in await stream_messages(js, stream):
        event = orjson.loads(msg.data)
        event["_seq"] = msg.metadata.sequence.stream
        event["_msg_id"] = (msg.headers or {}).get("Nats-Msg-Id")
        events.append(event)
    return events


async def stream_health(js: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for stream in STREAMS:
        info = await js.stream_info(stream)
        cluster = info.cluster
        replicas = [(r.name, bool(r.current)) for r in (cluster.replicas or [])] if cluster else []
        out[stream] = {
            "replicas": info.config.num_replicas,
            "messages": info.state.messages,
            "leader": cluster.leader if cluster else None,
            "peers": replicas,
        }
    return out


async def wait_replicas_current(js: Any, timeout: float) -> dict[str, dict[str, Any]]:
    """Until every R3 stream has a leader and two current followers (the restarted node caught
    up); returns the last health seen."""
    deadline = time.monotonic() + timeout
    while True:
        health = await stream_health(js)
        if all(h["leader"] and len(h["peers"]) == 2 and all(c for _, c in h["peers"])
               for h in health.values()):  # fmt: skip
            return health
        if time.monotonic() > deadline:
            return health
        await asyncio.sleep(1.0)


async def busy(stack: ScaleStack, js: Any) -> list[str]:
    """Work still in flight anywhere: unpublished outbox rows, unfinished orders and returns,
    messages not sent yet, events not yet consumed."""
    out = []
    for service in ("warranty", "orders", "notifications"):
        rows = await sql(stack, service, "SELECT count(*) n FROM outbox WHERE published_at IS NULL")
        if rows[0]["n"]:
            out.append(f"{service}: {rows[0]['n']} outbox rows unpublished")
    rows = await sql(stack, "orders", "SELECT count(*) n FROM orders WHERE NOT (status = ANY($1))",
                     list(DONE_ORDER_STATUSES))  # fmt: skip
    if rows[0]["n"]:
        out.append(f"orders: {rows[0]['n']} orders not finished")
    rows = await sql(stack, "orders", "SELECT count(*) n FROM returns WHERE NOT (status = ANY($1))",
                     sorted(DONE_RETURN_STATUSES))  # fmt: skip
    if rows[0]["n"]:
        out.append(f"orders: {rows[0]['n']} returns not finished")
    rows = await sql(stack, "notifications", "SELECT count(*) n FROM deliveries "
                     "WHERE status IN ('pending', 'sending')")  # fmt: skip
    if rows[0]["n"]:
        out.append(f"notifications: {rows[0]['n']} messages not sent")
    down = {name: code for name, code in readiness(stack).items() if code != 200}
    if down:
        out.append(f"processes not ready: {down}")
    for stream in ("WARRANTY", "ORDERS"):
        for info in await js.consumers_info(stream):
            if info.num_pending or info.num_ack_pending:
                out.append(f"{info.name}: {info.num_pending} pending, "
                           f"{info.num_ack_pending} unacked")  # fmt: skip
    return out


async def wait_settled(stack: ScaleStack, timeout: float) -> tuple[float, list[str]]:
    """Poll until nothing is in flight for 3 s in a row (or the deadline)."""
    started = time.monotonic()
    nc = await connect(stack)
    try:
        js = nc.jetstream(timeout=10)
        quiet_since: float | None = None
        while True:
            try:
                left = await busy(stack, js)
            except Exception as exc:  # a JetStream API call during a leader change
                left = [f"probe failed: {type(exc).__name__}: {exc}"]
            now = time.monotonic()
            if left:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= 3.0:
                return now - started, []
            if now - started > timeout:
                return now - started, left
            await asyncio.sleep(0.5)
    finally:
        await nc.close()


async def api_get(client: Client, path: str, **params: Any) -> tuple[int | None, Any]:
    call = await client.request("GET", path, deadline_s=20.0, **params)
    return call.status, call.body


async def inbox_items(client: Client) -> list[dict[str, Any]] | str:
    """The customer's whole in-app inbox through the API, page by page (or what went wrong)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    for _ in range(50):
        status, body = await api_get(client, "/v1/me/notifications", **params)
        if status != 200:
            return f"GET /v1/me/notifications -> {status} {body!r:.200}"
        items += body["items"]
        if not body.get("next_cursor"):
            return items
        params["cursor"] = body["next_cursor"]
    return "inbox pagination did not end after 50 pages"


def readiness(stack: ScaleStack) -> dict[str, int]:
    """Every process's /readyz status now (services: NATS connected and database up)."""
    out = {}
    for proc in stack.processes:
        url = f"http://127.0.0.1:{proc.health_port}/readyz"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                out[stack.label(proc)] = response.status
        except urllib.error.HTTPError as exc:
            out[stack.label(proc)] = exc.code
        except OSError:
            out[stack.label(proc)] = 0
    return out


def log_counts(stack: ScaleStack, since: str) -> dict[str, Counter[str]]:
    """Per process: RPC requests answered (pings excluded), events applied, crashes logged;
    `late:` counters only count lines timestamped after `since` (ISO UTC, after the faults)."""
    out: dict[str, Counter[str]] = {}
    for proc in stack.processes:
        c: Counter[str] = Counter()
        for line in proc.logs().splitlines():
            if not line.startswith("{"):
                continue
            try:
                entry = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            name = entry.get("event")
            late = str(entry.get("timestamp", "")) > since
            if name == "rpc.handled" and not str(entry.get("subject", "")).endswith(".ping"):
                c["rpc.handled"] += 1
                c["late:rpc.handled"] += late
            elif name == "events.applied":
                c["events.applied"] += int(entry.get("count", 0))
                c["late:events.applied"] += int(entry.get("count", 0)) * late
                c[f"applied:{entry.get('consumer')}"] += int(entry.get("count", 0))
            elif name in ("rpc.failed", "background.crashed", "event.failed", "event.retry"):
                c[name] += 1
            elif name == "service.started":
                c["starts"] += 1
        out[stack.label(proc)] = c
    return out
