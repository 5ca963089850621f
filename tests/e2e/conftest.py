"""The whole stack, as `concierge up` runs it, for tests that use only the public HTTP API.

One stack per test module and database backend (start-up is a few seconds): an embedded
nats-server, the three services and the gateway as separate processes, on SQLite files and then
on PostgreSQL databases (`CONCIERGE_E2E_DB=sqlite` to run one backend only), and a real local
SMTP server (aiosmtpd) that captures every email the notifications service sends.
"""

from __future__ import annotations

import asyncio
import email
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import jwt
import nats
import orjson
import pytest
from aiosmtpd.controller import Controller

from concierge_cli.supervisor import Stack, StackConfig
from shared.runtime.nats_server import free_port
from tests.support.event_scan import scan_event
from tests.support.streams import stream_messages

ROOT = Path(__file__).resolve().parents[2]
JWT_SECRET = "e2e-secret-" + "x" * 40
JWT_ISSUER = "concierge-local"
JWT_AUDIENCE = "concierge-api"


class MailSink:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in (m.get("To") or "")]


@contextmanager
def local_stack(
    data_dir: Path, env: dict[str, str], timeout: float = 60
) -> Iterator[tuple[Stack, MailSink]]:
    """`concierge up`'s processes on free ports, with an SMTP sink the notifications service uses."""
    mail = MailSink()
    smtp = Controller(mail, hostname="127.0.0.1", port=free_port())
    smtp.start()
    smtp_env = {"NOTIFICATIONS_SMTP_HOST": "127.0.0.1", "NOTIFICATIONS_SMTP_PORT": str(smtp.port)}
    config = StackConfig(
        data_dir=data_dir,
        nats_port=free_port(),
        nats_monitor_port=free_port(),
        gateway_port=0,  # any free port, bound by the supervisor itself
        extra_env={**smtp_env, **env},
    )
    stack = Stack(config, cwd=ROOT)
    try:
        stack.start(timeout=timeout)
        yield stack, mail
    finally:
        stack.stop()
        smtp.stop()


@dataclass
class RunningStack:
    api: str
    nats_url: str
    data_dir: Path
    mail: MailSink
    stack: Stack
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, subject: str, role: str = "customer", ttl: int = 3600) -> str:
        now = int(time.time())
        claims = {
            "sub": subject,
            "role": role,
            "iss": JWT_ISSUER,
            "aud": JWT_AUDIENCE,
            "iat": now,
            "exp": now + ttl,
        }
        return jwt.encode(claims, JWT_SECRET, algorithm="HS256", headers={"kid": "local"})

    def client(self, subject: str, role: str = "customer") -> httpx.Client:
        return httpx.Client(
            base_url=self.api,
            headers={"Authorization": f"Bearer {self.token(subject, role)}"},
            timeout=15,
        )

    def log(self, name: str) -> str:
        return (self.data_dir / "logs" / f"{name}.log").read_text(errors="replace")


PG_DSN = os.environ.get("CONCIERGE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_DSN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def _database_env(backend: str, names: list[str]) -> dict[str, str]:
    """One fresh PostgreSQL database per service (dropped at teardown); SQLite needs nothing."""
    if backend != "postgres":
        return {}
    base = PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    env = {}
    for service in ("warranty", "orders", "notifications"):
        name = f"cc_e2e_{service}_{uuid.uuid4().hex[:8]}"
        _pg(f'CREATE DATABASE "{name}"')
        names.append(name)
        env[f"{service.upper()}_DATABASE_URL"] = f"{base}/{name}"
    return env


E2E_BACKENDS = os.environ.get("CONCIERGE_E2E_DB", "sqlite,postgres").split(",")


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(b, marks=pytest.mark.postgres) if b == "postgres" else b for b in E2E_BACKENDS
    ],
)
def running_stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    """The stack on SQLite files (as `make run`), then on PostgreSQL (as production)."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_available") or pytest.skip(
            "PostgreSQL not reachable (runs in CI)"
        )
    data_dir = tmp_path_factory.mktemp("stack")
    databases: list[str] = []
    env = {
        "GATEWAY_JWT_SECRET": JWT_SECRET,
        "GATEWAY_JWT_ISSUER": JWT_ISSUER,
        "GATEWAY_JWT_AUDIENCE": JWT_AUDIENCE,
        "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        **_database_env(request.param, databases),
        # A module may set more of the stack's environment (e.g. turn the OCR warm-up on).
        **getattr(request.module, "STACK_ENV", {}),
    }
    with local_stack(data_dir, env) as (stack, mail):
        yield RunningStack(stack.api_url, stack.nats_url, data_dir, mail, stack)
        problems = asyncio.run(scan_streams(stack.nats_url))
    for name in databases:
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if problems:
        pytest.fail("events with personal data or free text:\n" + "\n".join(problems[:20]))


EVENT_STREAMS = ("WARRANTY", "ORDERS", "NOTIFICATIONS")
SCANNED_TYPES: set[str] = set()  # every event type the e2e stacks produced (and scanned)


async def scan_streams(nats_url: str) -> list[str]:
    """Every event the stack published, checked against its contract and for personal data
    and free text (issue 12 item 5): events carry ids, codes and business facts only."""
    nc = await nats.connect(nats_url)
    problems: list[str] = []
    try:
        js = nc.jetstream()
        for stream in EVENT_STREAMS:
            for msg in await stream_messages(js, stream, fetch_timeout=2.0):
                event = orjson.loads(msg.data)
                SCANNED_TYPES.add(str(event.get("type")))
                problems += scan_event(event)
    finally:
        await nc.close()
    return problems


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Which event types the e2e stacks produced (and so scanned), and which none produced."""
    if not SCANNED_TYPES:
        return
    from shared.contracts.registry import load_all

    unseen = sorted(set(load_all()) - SCANNED_TYPES)
    terminalreporter.write_line(
        f"e2e event scan: {len(SCANNED_TYPES)} event types scanned clean; "
        f"never produced: {', '.join(unseen) or 'none'}"
    )
