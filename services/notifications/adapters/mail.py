"""Email over real SMTP (aiosmtplib), plus file and console sinks for local runs.

Each message is multipart (plain text + HTML) and its Message-ID is derived from the delivery
key, so the same message always carries the same Message-ID.

SMTP's point of no return is the dot that ends DATA: a server may queue the message the moment
it reads it, before its 250 reaches us. So `prepare` connects and announces sender and recipient
(a refusal there is a clean "no"), and `hand_over` sends DATA. If the connection breaks during
DATA with no answer, the outcome is UNCERTAIN, not a failure to retry blindly.
"""

from __future__ import annotations

import asyncio
import sys
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import TextIO

import aiosmtplib
from aiosmtplib.email import flatten_message

from ..domain.ports import (
    OutboundEmail,
    Receipt,
    SendOutcome,
    SendStatus,
    SingleCallHandoff,
)

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
        self._envelope_sender = parseaddr(sender)[1] or sender
        self._username, self._password = username, password
        self._start_tls = start_tls
        self._timeout = timeout_seconds
        self._domain = message_id_domain

    async def prepare(self, message: OutboundEmail) -> SmtpHandoff | SendOutcome:
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            start_tls=self._start_tls,
            timeout=self._timeout,
        )
        mime = build_mime(message, self._sender, self._domain)
        try:
            await client.connect()
            options, flat = _envelope_options(client, self._envelope_sender, message.to, mime)
            await client.mail(self._envelope_sender, options=options, encoding="utf-8")
            await client.rcpt(message.to, encoding="utf-8")
        except aiosmtplib.SMTPResponseException as exc:
            await _close(client)
            # 5xx (e.g. 550 no such mailbox at RCPT) is a definitive "no"; 4xx means later.
            return _failure(exc, permanent=500 <= exc.code < 600)
        except aiosmtplib.SMTPNotSupported as exc:  # a UTF-8 address the relay cannot take
            await _close(client)
            return _failure(exc, permanent=True)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            await _close(client)
            return _failure(exc, permanent=False)
        except BaseException:
            await _close(client)
            raise
        return SmtpHandoff(client, flat, str(mime["Message-ID"]))

    async def confirm(self, message: OutboundEmail) -> Receipt:
        return Receipt.UNKNOWN  # SMTP has no way to ask a server what it queued


def _envelope_options(
    client: aiosmtplib.SMTP, sender: str, recipient: str, mime: EmailMessage
) -> tuple[list[str], bytes]:
    """What aiosmtplib's `send_message` would declare: SMTPUTF8 for a non-ASCII address,
    BODY=8BITMIME when the relay offers it (else the body is re-encoded to 7 bit). Our bodies
    carry `£` and accented names, so this is not optional."""
    options: list[str] = []
    utf8 = not (sender + recipient).isascii()
    if utf8:
        if not client.supports_extension("smtputf8"):
            raise aiosmtplib.SMTPNotSupported("the relay does not accept UTF-8 addresses")
        options.append("SMTPUTF8")
    if client.supports_extension("8BITMIME"):
        options.append("BODY=8BITMIME")
        cte_type = "8bit"
    else:
        cte_type = "7bit"
    return options, flatten_message(mime, utf8=utf8, cte_type=cte_type)


class SmtpHandoff:
    def __init__(self, client: aiosmtplib.SMTP, flat_message: bytes, message_id: str) -> None:
        self._client = client
        self._message = flat_message
        self._message_id = message_id

    async def hand_over(self) -> SendOutcome:
        if not self._client.is_connected:  # dropped since `prepare`: nothing was written
            return SendOutcome(SendStatus.TRANSIENT_FAILURE, error="SMTPServerDisconnected")
        try:
            await self._client.data(self._message)
        except aiosmtplib.SMTPResponseException as exc:
            # The server answered: whatever it said, it did not take the message.
            return _failure(exc, permanent=500 <= exc.code < 600)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            # No answer: the server may have read the final dot and queued the message.
            return SendOutcome(SendStatus.UNCERTAIN, error=f"{type(exc).__name__}: {exc}"[:500])
        return SendOutcome(SendStatus.SENT, provider_message_id=self._message_id)

    async def close(self) -> None:
        await _close(self._client)


async def _close(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        return
    try:
        await client.quit()
    except (TimeoutError, aiosmtplib.SMTPException, OSError):
        client.close()


def _failure(exc: Exception, *, permanent: bool) -> SendOutcome:
    status = SendStatus.PERMANENT_FAILURE if permanent else SendStatus.TRANSIENT_FAILURE
    return SendOutcome(status, error=f"{type(exc).__name__}: {exc}"[:500])


class FileMailSink:
    """Writes each message as an .eml file named by its delivery key.

    The rename that publishes a file is atomic, so `confirm` can tell exactly whether an
    interrupted hand-over took place.
    """

    def __init__(self, directory: Path, sender: str) -> None:
        self._dir = Path(directory)
        self._sender = sender

    async def prepare(self, message: OutboundEmail) -> SingleCallHandoff:
        return SingleCallHandoff(lambda: self._write(message))

    async def confirm(self, message: OutboundEmail) -> Receipt:
        exists = await asyncio.to_thread(self._path(message).exists)
        return Receipt.ACCEPTED if exists else Receipt.NOT_ACCEPTED

    def _path(self, message: OutboundEmail) -> Path:
        return self._dir / f"{message.key.digest}.eml"

    async def _write(self, message: OutboundEmail) -> SendOutcome:
        mime = build_mime(message, self._sender)
        await asyncio.to_thread(self._publish, self._path(message), mime.as_bytes())
        return SendOutcome(SendStatus.SENT, provider_message_id=str(mime["Message-ID"]))

    def _publish(self, path: Path, data: bytes) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


class ConsoleMailSink:
    """Prints the text part of each message: handy with `concierge up`."""

    def __init__(self, sender: str, stream: TextIO | None = None) -> None:
        self._sender = sender
        self._stream = stream

    async def prepare(self, message: OutboundEmail) -> SingleCallHandoff:
        return SingleCallHandoff(lambda: self._print(message))

    async def confirm(self, message: OutboundEmail) -> Receipt:
        return Receipt.UNKNOWN  # a terminal keeps no record we can read back

    async def _print(self, message: OutboundEmail) -> SendOutcome:
        out = self._stream or sys.stdout
        mid = message_id_for(message)
        out.write(
            f"--- mail {mid}\nFrom: {self._sender}\nTo: {message.to}\n"
            f"Subject: {message.subject}\n\n{message.text}\n--- end\n"
        )
        out.flush()
        return SendOutcome(SendStatus.SENT, provider_message_id=mid)
