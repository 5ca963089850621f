from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from services.notifications.entrypoints.rpc import WebhookRpc
from shared.contracts import notifications as c
from shared.messaging.outbox import UnitOfWork
from shared.persistence.db import Database
from shared.persistence.migrations import upgrade_async
from shared.runtime.nats_server import free_port
from tests.support.notifications.cases import PARTNER, SteppingClock, webhook_rpc
from tests.support.notifications.gateway import App, gateway_env
from tests.support.notifications.raw_smtp import RawSmtpServer, StartRawSmtp


@dataclass
class CapturingHandler:
    """Accepts every message, except recipients at refused.example (550)."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options
    ):
        if address.endswith("@refused.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)  # bytes unless the server decodes data
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: CapturingHandler


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    handler = CapturingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()


@pytest.fixture
async def raw_smtp() -> AsyncIterator[StartRawSmtp]:
    """Starts `RawSmtpServer`s on free ports; stops them after the test."""
    servers: list[RawSmtpServer] = []

    async def start(
        *, after_dot: str = "250 2.0.0 queued", rcpt_reply: str = "250 2.1.5 OK"
    ) -> RawSmtpServer:
        server = await RawSmtpServer(after_dot=after_dot, rcpt_reply=rcpt_reply).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "notifications" / "migrations"


@pytest.fixture
async def uow(tmp_path: Path) -> AsyncIterator[UnitOfWork]:
    """The notifications schema, migrated, in a fresh SQLite file."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'n.db'}"
    await upgrade_async(url, MIGRATIONS)
    db = Database(url)
    yield UnitOfWork(db)
    await db.dispose()


@pytest.fixture
async def setup(
    uow: UnitOfWork,
) -> AsyncIterator[tuple[UnitOfWork, WebhookRpc, Any, SteppingClock]]:
    """A partner's endpoint subscribed to every event, and a clock the test moves."""
    clock = SteppingClock()
    hooks = webhook_rpc(uow, clock)
    endpoint = await hooks.create(
        c.CreateWebhookRequest(url="https://p.example/h", event_types=["*"]), PARTNER
    )
    yield uow, hooks, endpoint, clock


@pytest.fixture
async def env() -> AsyncIterator[tuple[App, httpx.AsyncClient]]:
    """The gateway (notifications routes only, fake RPC) and an HTTP client for it."""
    async with gateway_env() as built:
        yield built
