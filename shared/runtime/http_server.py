"""Run an ASGI app under uvicorn on its host and port, or on a socket handed down (listen.py)."""

from __future__ import annotations

import sys
from typing import Any

import uvicorn

from shared.runtime.listen import inherited_socket

STARTUP_FAILURE = 3  # uvicorn.run's exit code when the server could not start


def serve(app: Any, *, host: str, port: int, listen_fd: int | None, **options: Any) -> None:
    """What `uvicorn.run(app, host=..., port=..., **options)` does, plus the inherited socket:
    with `listen_fd`, host and port only name the socket in uvicorn's start-up line."""
    sockets = None if listen_fd is None else [inherited_socket(listen_fd)]
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, **options))
    server.run(sockets=sockets)
    if not server.started:  # the port was taken, or the app's start-up failed
        sys.exit(STARTUP_FAILURE)
