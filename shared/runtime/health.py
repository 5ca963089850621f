"""A tiny HTTP endpoint for orchestrators: `/healthz` (alive) and `/readyz` (NATS and DB answer).

Every answer names the process (`pid`).

Plain asyncio, no framework: it must keep answering even when the service's own machinery is
busy, and it must not install signal handlers of its own.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable

import orjson

from shared.runtime.listen import inherited_socket
from shared.runtime.settings import ServiceSettings

ReadyCheck = Callable[[], Awaitable[dict[str, bool]]]


def health_server(
    settings: ServiceSettings, ready_check: ReadyCheck, reason: Callable[[], str]
) -> HealthServer | None:
    """The service's endpoint as its settings ask: on a socket handed down (`LISTEN_FD`), on
    `HEALTH_PORT`, or none (port 0)."""
    if settings.listen_fd is None and not settings.health_port:
        return None
    sock = None if settings.listen_fd is None else inherited_socket(settings.listen_fd)
    return HealthServer(
        settings.health_host, settings.health_port, ready_check, reason=reason, sock=sock
    )


class HealthServer:
    def __init__(
        self,
        host: str,
        port: int,
        ready_check: ReadyCheck,
        reason: Callable[[], str] | None = None,
        sock: socket.socket | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.sock = sock  # already listening (handed down, shared/runtime/listen.py): host and
        # port only name it
        self.ready_check = ready_check
        self.reason = reason  # why not ready (what start-up waits for), shown on /readyz
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        if self.sock is not None:
            self._server = await asyncio.start_server(self._handle, sock=self.sock)
        else:
            self._server = await asyncio.start_server(self._handle, self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), timeout=5)
            parts = request_line.decode("latin-1").split()
            path = parts[1] if len(parts) > 1 else "/"
            body: dict[str, object]
            if path.startswith("/healthz"):
                status, body = 200, {"status": "ok"}
            elif path.startswith("/readyz"):
                checks = await self.ready_check()
                status = 200 if all(checks.values()) else 503
                body = {"status": "ready" if status == 200 else "not_ready", "checks": checks}
                if status != 200 and self.reason is not None:
                    body["reason"] = self.reason()
            else:
                status, body = 404, {"status": "not_found"}
            # Which process answered: a supervisor whose child binds this port itself (a
            # restart) can tell its child from another program that took the port first.
            payload = orjson.dumps(body | {"pid": os.getpid()})
            reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except Exception:
            pass
        finally:
            writer.close()
