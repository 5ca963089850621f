"""The chaos suite's stack: `concierge up`'s processes, an SMTP sink and a partner endpoint.

`--chaos-long` (or `CHAOS_DURATION=<seconds>`) selects the long run; the bounded run (each fault
once, about a minute and a half of load) is the default and runs in CI.
"""

from __future__ import annotations

import email
import os
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiosmtpd.controller import Controller

from concierge_cli.supervisor import Stack, StackConfig
from shared.runtime.nats_server import free_port

ROOT = Path(__file__).resolve().parents[2]
JWT_SECRET = "chaos-secret-" + "x" * 40
JWT_ISSUER = "concierge-local"
JWT_AUDIENCE = "concierge-api"

# Compressed clocks: orders reach `delivered` within seconds, retries come back quickly, and a
# message lease left by a killed notifications process expires long before the checker runs.
CHAOS_ENV = {
    "GATEWAY_JWT_SECRET": JWT_SECRET,
    "GATEWAY_JWT_ISSUER": JWT_ISSUER,
    "GATEWAY_JWT_AUDIENCE": JWT_AUDIENCE,
    "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000",
    "GATEWAY_RATE_LIMIT_BURST": "10000",
    "ORDERS_CARRIER_IN_TRANSIT_AFTER": "1",
    "ORDERS_CARRIER_DELIVERED_AFTER": "2",
    "ORDERS_SAGA_SWEEP_INTERVAL": "0.5",
    # Return parcels: handed over 1 s after the label, scanned in 2 s later; refunded at once.
    "ORDERS_CARRIER_RETURN_PICKED_UP_AFTER": "1",
    "ORDERS_CARRIER_RETURN_SCANNED_IN_AFTER": "2",
    "ORDERS_RETURN_SWEEP_INTERVAL": "0.5",
    "ORDERS_RETURN_POLL_INTERVAL": "0.5",
    "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
    "NOTIFICATIONS_WEBHOOK_RETRY_SCALE": "0.0001",
    "NOTIFICATIONS_DELIVERY_POLL_INTERVAL": "0.2",
    "NOTIFICATIONS_WEBHOOK_POLL_INTERVAL": "0.2",
    "NOTIFICATIONS_DELIVERY_LEASE_SECONDS": "8",
    "NOTIFICATIONS_SMTP_TIMEOUT_SECONDS": "4",
    "NOTIFICATIONS_DELIVERY_RETRY_BASE_SECONDS": "1",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "chaos: fault-injection runs against the whole stack")


@pytest.fixture(scope="session")
def chaos_long(request: pytest.FixtureRequest) -> bool:
    return (
        bool(request.config.getoption("--chaos-long", default=False))
        or "CHAOS_DURATION" in os.environ
    )


# SMTP ----------------------------------------------------------------------------------------
class MailSink:
    """aiosmtpd handler keeping every message it receives (thread-safe append)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


# Partner webhook endpoint ----------------------------------------------------------------------
@dataclass
class WebhookHit:
    webhook_id: str
    event_type: str
    status: int
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class PartnerEndpoint:
    """A partner's HTTPS endpoint stand-in: records every POST and answers 503 to the first
    attempt of about one event in eight (so retries with the same webhook-id happen)."""

    hits: list[WebhookHit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: set[str] = field(default_factory=set)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def answer(self, webhook_id: str) -> int:
        with self.lock:
            first = webhook_id not in self.seen
            self.seen.add(webhook_id)
        return 503 if first and zlib.crc32(webhook_id.encode()) % 8 == 0 else 200

    def start(self) -> None:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                wid = headers.get("webhook-id", "")
                status = endpoint.answer(wid)
                try:
                    import orjson

                    event_type = str(orjson.loads(body).get("type", ""))
                except Exception:
                    event_type = ""
                with endpoint.lock:
                    endpoint.hits.append(
                        WebhookHit(wid, event_type, status, headers, body, time.time())
                    )
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # the sender posts many deliveries at once
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()


# The stack -------------------------------------------------------------------------------------
@dataclass
class ChaosStack:
    stack: Stack
    data_dir: Path
    mail: MailSink
    partner: PartnerEndpoint

    @property
    def api(self) -> str:
        return self.stack.api_url

    @property
    def nats_url(self) -> str:
        return self.stack.nats_url

    def token(self, subject: str, role: str = "customer", ttl: int = 4 * 3600) -> str:
        now = int(time.time())
        claims = {"sub": subject, "role": role, "iss": JWT_ISSUER, "aud": JWT_AUDIENCE,
                  "iat": now, "exp": now + ttl}  # fmt: skip
        return jwt.encode(claims, JWT_SECRET, algorithm="HS256", headers={"kid": "local"})

    def database(self, service: str) -> Path:
        return self.data_dir / f"{service}.db"

    def log(self, name: str) -> str:
        return (self.data_dir / "logs" / f"{name}.log").read_text(errors="replace")


def start_chaos_stack(
    data_dir: Path, crash_at: dict[str, str] | None = None, extra_env: dict[str, str] | None = None
) -> ChaosStack:
    """The stack as `concierge up` runs it; `crash_at` arms crash points (service -> names) for
    each named process's first life only (the fault injector disarms them before a restart)."""
    mail = MailSink()
    smtp = Controller(mail, hostname="127.0.0.1", port=free_port())
    smtp.start()
    partner = PartnerEndpoint()
    partner.start()
    env = {
        **CHAOS_ENV,
        "NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "NOTIFICATIONS_SMTP_PORT": str(smtp.port),
        **(extra_env or {}),
    }
    config = StackConfig(data_dir=data_dir, nats_port=free_port(), nats_monitor_port=free_port(),
                         gateway_port=0, extra_env=env)  # fmt: skip
    stack = Stack(config, cwd=ROOT)
    make_child = stack._child

    def child_with_crash_points(spec: Any) -> Any:
        child = make_child(spec)
        if crash_at and spec.name in crash_at:
            child.env["CONCIERGE_CRASH_AT"] = crash_at[spec.name]
        return child

    stack._child = child_with_crash_points  # type: ignore[method-assign]
    chaos = ChaosStack(stack, data_dir, mail, partner)
    chaos._smtp = smtp  # type: ignore[attr-defined]
    try:
        stack.start(timeout=90)
    except Exception:
        stop_chaos_stack(chaos)
        raise
    return chaos


def stop_chaos_stack(chaos: ChaosStack) -> None:
    chaos.stack.stop()
    chaos._smtp.stop()  # type: ignore[attr-defined]
    chaos.partner.stop()


@pytest.fixture
def chaos_stack_factory(tmp_path: Path) -> Iterator[Any]:
    """Start a stack (optionally with crash points armed); stopped after the test."""
    started: list[ChaosStack] = []

    def factory(
        crash_at: dict[str, str] | None = None, extra_env: dict[str, str] | None = None
    ) -> ChaosStack:
        chaos = start_chaos_stack(tmp_path / f"stack{len(started)}", crash_at, extra_env)
        started.append(chaos)
        return chaos

    yield factory
    for chaos in started:
        stop_chaos_stack(chaos)
