"""A tiny SMTP server on raw asyncio streams, for the failures a real server library hides.

It speaks just enough SMTP for aiosmtplib (greeting, EHLO/HELO with no extensions, MAIL, RCPT,
DATA, RSET, NOOP, QUIT) and can misbehave in the one place that matters: after reading the
dot that ends DATA it can reply with any line, drop the connection without a word, or stall.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class RawSmtpServer:
    # What to do after the dot: "drop", "stall", or the reply line to send (e.g. "451 later").
    after_dot: str = "250 2.0.0 queued"
    rcpt_reply: str = "250 2.1.5 OK"
    host: str = "127.0.0.1"
    port: int = 0
    # Every command line the client sent, outside DATA (e.g. "MAIL FROM:<a@b>").
    commands: list[str] = field(default_factory=list)
    # Every message whose terminating dot the server read, whatever it did next.
    received: list[bytes] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _sessions: dict[asyncio.Task[None], asyncio.StreamWriter] = field(default_factory=dict)
    _ended: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(b, policy=policy.default) for b in self.received]

    def verbs(self) -> list[str]:
        return [c.split(" ", 1)[0].split(":", 1)[0].upper() for c in self.commands]

    async def start(self) -> RawSmtpServer:
        self._server = await asyncio.start_server(self._session, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        # End open sessions by cutting their connections (a cancelled session task makes
        # asyncio log an error), then wait for them to finish.
        sessions = list(self._sessions.items())
        for _, writer in sessions:
            writer.transport.abort()
        await asyncio.wait_for(
            asyncio.gather(*(task for task, _ in sessions), return_exceptions=True), 5
        )
        await self._server.wait_closed()

    async def wait_for_session_end(self, timeout: float = 5.0) -> None:
        await asyncio.wait_for(self._ended.wait(), timeout)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._sessions[task] = writer

        async def reply(line: str) -> None:
            writer.write(line.encode("ascii") + b"\r\n")
            await writer.drain()

        try:
            await reply("220 raw.test ESMTP")
            while line := await reader.readline():
                command = line.decode("ascii", "replace").rstrip("\r\n")
                self.commands.append(command)
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    await reply("250 raw.test")
                elif verb in ("MAIL", "RSET", "NOOP"):
                    await reply("250 2.0.0 OK")
                elif verb == "RCPT":
                    await reply(self.rcpt_reply)
                elif verb == "QUIT":
                    await reply("221 2.0.0 bye")
                    return
                elif verb == "DATA":
                    await reply("354 end data with <CR><LF>.<CR><LF>")
                    body = bytearray()
                    while (data_line := await reader.readline()) != b".\r\n":
                        if not data_line:
                            return  # the client went away mid-message: nothing received
                        body += data_line[1:] if data_line.startswith(b"..") else data_line
                    self.received.append(bytes(body))
                    if self.after_dot == "drop":
                        return  # close the socket without replying
                    if self.after_dot == "stall":
                        await reader.read()  # say nothing until the client hangs up
                        return
                    await reply(self.after_dot)
                else:
                    await reply("500 5.5.2 command not recognised")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self._ended.set()
            self._sessions.pop(task, None)


StartRawSmtp = Callable[..., Awaitable[RawSmtpServer]]
