"""Email over real SMTP (aiosmtplib), plus file and console sinks for local runs.

Each message is multipart (plain text + HTML) and its Message-ID is derived from the delivery
key, so a duplicate that slipped through is recognisable by any mail system downstream.
"""

from __future__ import annotations

import asyncio
import sys
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import TextIO

import aiosmtplib

from .channels import OutboundEmail, SendOutcome, SendStatus

MESSAGE_ID_DOMAIN = "notifications.concierge.local"


def message_id_for(message: OutboundEmail, domain: str = MESSAGE_ID_DOMAIN) -> str:
    return f"<{message.key.digest}@{domain}>"


def build_mime(
    message: OutboundEmail, sender: str, domain: str = MESSAGE_ID_DOMAIN
) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(usegmt=True)
    mime["Message-ID"] = message_id_for(message, domain)
    mime["X-Concierge-Message-Kind"] = message.key.kind
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime


class SmtpEmailChannel:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        start_tls: bool | None = None,
        timeout_seconds: float = 15.0,
        message_id_domain: str = MESSAGE_ID_DOMAIN,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._username, self._password = username, password
        self._start_tls = start_tls
        self._timeout = timeout_seconds
        self._domain = message_id_domain

    async def send(self, message: OutboundEmail) -> SendOutcome:
        mime = build_mime(message, self._sender, self._domain)
        try:
            await aiosmtplib.send(
                mime,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._start_tls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return _failure(exc, permanent=True)
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx is a definitive "no"; 4xx means try later.
            return _failure(exc, permanent=500 <= exc.code < 600)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            return _failure(exc, permanent=False)
        return SendOutcome(SendStatus.SENT, provider_message_id=str(mime["Message-ID"]))


def _failure(exc: Exception, *, permanent: bool) -> SendOutcome:
    status = SendStatus.PERMANENT_FAILURE if permanent else SendStatus.TRANSIENT_FAILURE
    return SendOutcome(status, error=f"{type(exc).__name__}: {exc}"[:500])


class FileMailSink:
    """Writes each message as an .eml file named by its delivery key (rewrites are harmless)."""

    def __init__(self, directory: Path, sender: str) -> None:
        self._dir = Path(directory)
        self._sender = sender

    async def send(self, message: OutboundEmail) -> SendOutcome:
        mime = build_mime(message, self._sender)
        path = self._dir / f"{message.key.digest}.eml"
        await asyncio.to_thread(self._write, path, mime.as_bytes())
        return SendOutcome(SendStatus.SENT, provider_message_id=str(mime["Message-ID"]))

    def _write(self, path: Path, data: bytes) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


class ConsoleMailSink:
    """Prints the text part of each message: handy with `concierge up`."""

    def __init__(self, sender: str, stream: TextIO | None = None) -> None:
        self._sender = sender
        self._stream = stream

    async def send(self, message: OutboundEmail) -> SendOutcome:
        out = self._stream or sys.stdout
        mid = message_id_for(message)
        out.write(
            f"--- mail {mid}\nFrom: {self._sender}\nTo: {message.to}\n"
            f"Subject: {message.subject}\n\n{message.text}\n--- end\n"
        )
        out.flush()
        return SendOutcome(SendStatus.SENT, provider_message_id=mid)
