"""A well-behaved client for crash-window tests: it retries a request with the same
Idempotency-Key and body until it gets a final answer, and says how long that took.

Retried: connection errors (the gateway died), 5xx (the service died, the RPC timed out),
429 and 409 `idempotency_request_in_progress`. Anything else is final.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from services.gateway.idempotency import kv_key_for
from tests.chaos.collect import query

RETRIED_CODES = {"idempotency_request_in_progress"}


@dataclass
class Outcome:
    status: int
    body: Any
    raw: bytes
    attempts: int
    seconds: float  # from the first attempt to the final answer
    key: str
    replayed: bool


def is_final(r: httpx.Response) -> bool:
    if r.status_code >= 500 or r.status_code == 429:
        return False
    if r.status_code == 409 and r.headers.get("content-type", "").startswith("application/prob"):
        return r.json().get("code") not in RETRIED_CODES
    return True


async def call_until_final(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    body: Any = None,
    *,
    key: str | None = None,
    apis: list[str] | None = None,
    deadline: float = 90.0,
    pause: float = 0.3,
) -> Outcome:
    """`apis`: gateway replicas behind a load balancer; a refused connection moves the next
    attempt to the next replica (default: the client's base URL only)."""
    key = key or uuid.uuid4().hex
    bases = apis or [str(client.base_url).rstrip("/")]
    started = time.monotonic()
    attempts = 0
    while True:
        base = bases[attempts % len(bases)] if len(bases) > 1 else bases[0]
        attempts += 1
        try:
            r = await client.request(method, base + path, json=body,
                                     headers={"Idempotency-Key": key})  # fmt: skip
            if is_final(r):
                payload = r.json() if r.content else None
                return Outcome(r.status_code, payload, r.content, attempts,
                               time.monotonic() - started, key,
                               r.headers.get("idempotent-replayed") == "true")  # fmt: skip
        except httpx.TransportError:
            pass  # that replica is down or restarting: the same key again, elsewhere
        if time.monotonic() - started > deadline:
            raise AssertionError(f"{method} {path}: no final answer in {deadline}s")
        await asyncio.sleep(pause)


def stored_reply(db: Path, operation: str, request_key: str) -> Any:
    """The reply a service recorded for a keyed command (None if it recorded none).
    Notifications seals its replies (they may carry signing secrets): opened with its key."""
    import orjson

    rows = query(db, "SELECT reply FROM processed_requests "
                     f"WHERE operation = '{operation}' AND request_key = '{request_key}'")  # fmt: skip
    if not rows or rows[0]["reply"] is None:
        return None
    raw = bytes(rows[0]["reply"])
    if db.stem == "notifications":
        from services.notifications.settings import Settings

        assert b"whsec_" not in raw, "a signing secret stored in clear"
        raw = Settings().secret_box.open(raw.decode()).encode()
    return orjson.loads(raw)["data"]


def same_fields(http_body: dict[str, Any], service_reply: dict[str, Any]) -> list[str]:
    """Fields of the HTTP answer that differ from the service's recorded reply (the gateway's
    response models may leave fields out, at any depth, but never change one)."""
    return [k for k, v in http_body.items()
            if k in service_reply and not _within(v, service_reply[k])]  # fmt: skip


def _within(shown: Any, recorded: Any) -> bool:
    if isinstance(shown, dict) and isinstance(recorded, dict):
        return all(k in recorded and _within(v, recorded[k]) for k, v in shown.items())
    if isinstance(shown, list) and isinstance(recorded, list):
        return len(shown) == len(recorded) and all(map(_within, shown, recorded))
    return bool(shown == recorded)


class Watchdog:
    """Restarts dead children (from the test's thread: they die with the thread that forked
    them). Crash points stay armed across restarts, except in the children named in `disarm`,
    which restart with the point `arm()` set for them, or none."""

    def __init__(self, chaos: Any, disarm: set[str]) -> None:
        self.chaos = chaos
        self.disarm = disarm
        self.next_points: dict[str, str] = {}
        self.restarted = asyncio.Event()

    def child(self, name: str) -> Any:
        return next(c for c in self.chaos.stack.children if c.spec.name == name)

    async def loop(self) -> None:
        while True:
            for c in self.chaos.stack.children:
                name = c.spec.name
                if name in self.disarm and c.process and not c.alive():
                    c.env.pop("CONCIERGE_CRASH_AT", None)
                    if name in self.next_points:
                        c.env["CONCIERGE_CRASH_AT"] = self.next_points.pop(name)
            if self.chaos.stack.restart_dead_children():
                self.restarted.set()
            await asyncio.sleep(0.2)

    async def arm(self, name: str, point: str) -> None:
        """Restart a child with one crash point armed for its next life only."""
        target = self.child(name)
        # A restart after the previous crash may still be under way: arming then would let
        # that restart take the point and the kill below restart the child unarmed (seen as
        # "nothing crashed, the window was not hit").
        deadline = time.monotonic() + 60
        while not (target.alive() and await asyncio.to_thread(target.ready)):
            assert time.monotonic() < deadline, f"{name} did not come back before arming"
            await asyncio.sleep(0.2)
        self.next_points[name] = point
        # Also on the child itself: `loop` looks at whether a child is alive, then the stack
        # restarts the dead ones, and a child that dies between the two (a slow SIGTERM on a
        # busy machine) is restarted without `loop` setting its point; it must be armed anyway.
        target.env["CONCIERGE_CRASH_AT"] = point
        self.restarted.clear()
        os.kill(target.process.pid, signal.SIGTERM)
        await asyncio.to_thread(target.process.wait)
        await asyncio.wait_for(self.restarted.wait(), timeout=30)
        self.next_points.pop(name, None)  # this life took it, whichever way: none after it
        await asyncio.to_thread(self.chaos.stack._wait_ready, [target], 60)


@asynccontextmanager
async def watchdog(chaos: Any, disarm: set[str]) -> AsyncIterator[Watchdog]:
    dog = Watchdog(chaos, disarm)
    task = asyncio.create_task(dog.loop())
    try:
        yield dog
    finally:
        task.cancel()


@dataclass
class CrashWindow:
    """Runs commands with a crash after the owning service's commit and checks the retries:
    `crash` is the service whose process dies after committing, or "gateway" (it dies once it
    has the service's reply, before answering). For a gateway crash a standby replica runs
    beside it, as in production behind a load balancer: the client's retries reach it, so the
    time to the final answer measures the lock's takeover, not a process restart."""

    chaos: Any
    crash: str
    dog: Watchdog
    checked: list[dict[str, Any]] = field(default_factory=list)
    apis: list[str] = field(default_factory=list)
    standby: Any = None

    def client(self, subject: str, role: str = "customer") -> httpx.AsyncClient:
        token = self.chaos.token(subject, role)
        return httpx.AsyncClient(base_url=self.chaos.api, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    async def start_standby(self) -> None:
        from concierge_cli.supervisor import Child
        from shared.runtime.nats_server import free_port

        primary = self.dog.child("gateway")
        port = free_port()
        env = {**primary.env, "GATEWAY_PORT": str(port)}
        env.pop("CONCIERGE_CRASH_AT", None)
        logs = self.chaos.data_dir / "logs" / "gateway-standby.log"
        self.standby = Child(primary.spec, env, f"http://127.0.0.1:{port}/readyz", logs)
        self.standby.start(self.chaos.stack.cwd)
        await asyncio.to_thread(self.chaos.stack._wait_ready, [self.standby], 60)
        self.apis = [self.chaos.api, f"http://127.0.0.1:{port}"]

    def stop_standby(self) -> None:
        if self.standby is not None:
            self.standby.stop()

    async def command(self, service: str, subject: str, who: httpx.AsyncClient, caller: str,
                      method: str, path: str, body: Any = None) -> Outcome:  # fmt: skip
        """The retried request's final answer, checked: 2xx after a crash, the same answer
        again for the same key, and the reply the service recorded for its first attempt."""
        if self.crash == "gateway":
            await self.dog.arm("gateway", f"rpc_client.after_reply:{subject}")
        victim = self.dog.child("gateway" if self.crash == "gateway" else service)
        life = victim.process.pid
        outcome = await call_until_final(who, method, path, body, apis=self.apis or None)
        assert 200 <= outcome.status < 300, (subject, outcome.status, outcome.body)
        # The window was hit when the process died in it. The client may not have needed to
        # retry: after a service crash the gateway re-asks the restarted service itself when
        # the request is repeatable (services/gateway/rpc_retry.py), and the replay answers.
        died = victim.process is None or victim.process.pid != life or not victim.alive()
        assert died, f"{subject}: nothing crashed, the window was not hit"
        again = await call_until_final(who, method, path, body, key=outcome.key,
                                       apis=self.apis or None)  # fmt: skip
        assert (again.status, again.raw) == (outcome.status, outcome.raw), subject
        recorded = stored_reply(self.chaos.database(service), subject,
                                kv_key_for(caller, f"{method} {path}", outcome.key))  # fmt: skip
        assert recorded is not None, f"{subject}: the service recorded no reply"
        if isinstance(outcome.body, dict) and isinstance(recorded, dict):
            differ = same_fields(outcome.body, recorded)
            assert differ == [], (subject, {k: (outcome.body[k], recorded[k]) for k in differ})
        self.checked.append({"op": subject, "attempts": outcome.attempts,
                             "seconds": round(outcome.seconds, 1)})  # fmt: skip
        return outcome

    def slowest(self) -> float:
        return max(c["seconds"] for c in self.checked)


@asynccontextmanager
async def crash_window(
    chaos: Any, crash: str, disarm: frozenset[str] = frozenset()
) -> AsyncIterator[CrashWindow]:
    """The watchdog, and for a gateway crash a standby gateway replica. Children in `disarm`
    (and the gateway, for a gateway crash) restart unarmed, or with what `dog.arm` set."""
    disarm = disarm | {"gateway"} if crash == "gateway" else disarm
    async with watchdog(chaos, set(disarm)) as dog:
        window = CrashWindow(chaos, crash, dog)
        if crash == "gateway":
            await window.start_standby()
        try:
            yield window
        finally:
            window.stop_standby()
