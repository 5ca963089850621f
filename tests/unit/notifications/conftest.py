from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from shared.messaging.outbox import UnitOfWork
from shared.persistence.db import Database
from shared.persistence.migrations import upgrade_async
from shared.runtime.nats_server import free_port

from .raw_smtp import RawSmtpServer


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


StartRawSmtp = Callable[..., Awaitable[RawSmtpServer]]


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
