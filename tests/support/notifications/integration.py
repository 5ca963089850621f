"""Helpers for the notifications integration tests: a partner HTTP endpoint, SMTP, events."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from pydantic import BaseModel

from shared.actor import Actor
from shared.contracts.envelope import make_event
from shared.messaging.outbox import encode_event, event_headers
from shared.runtime.nats_server import free_port


@dataclass
class PartnerEndpoint:
    """A real HTTP server: answers `script` status codes in turn, then 200; keeps requests."""

    script: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)
    port: int = 0
    _server: Any = None

    async def start(self) -> PartnerEndpoint:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            status = self.script.pop(0) if self.script else 200
            self.requests.append((headers, body, status))
            writer.write(
                f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".encode()
            )
            await writer.drain()
        finally:
            writer.close()

    async def stop(self) -> None:
        self._server.close()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def start_smtp() -> tuple[Controller, Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, box


async def publish(js: Any, type_: str, subject: str, data: BaseModel, event_id: str | None = None,
                  msg_id: str | None = None) -> str:  # fmt: skip
    event = make_event(
        type=type_,
        source="/test",
        subject=subject,
        data=data,
        event_id=event_id or uuid.uuid4().hex,
        time=datetime.now(UTC),
    )
    headers = event_headers(event)
    if msg_id:
        headers["Nats-Msg-Id"] = msg_id
    await js.publish(type_, encode_event(event), headers=headers)
    return event.id


CUSTOMER = Actor(type="customer", id="cust-uk-1")
NOW = datetime.now(UTC)


def claim_data(model: Any, **extra: Any) -> Any:
    """A claim event payload for CUSTOMER's tote, with `extra` fields."""
    base = {
        "claim_id": "CLM-1",
        "customer_id": CUSTOMER.id,
        "region": "UK",
        "style_code": "VT02",
        "product_name": "Voyager travel tote, luggage brown",
        "occurred_at": NOW,
    }
    return model(**(base | extra))
