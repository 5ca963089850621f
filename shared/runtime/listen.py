"""Listening sockets handed down by the process that starts the server (socket activation).

`concierge up` binds each child's HTTP port itself and passes the socket to the child
(`<P>LISTEN_FD`), instead of choosing a free port and letting the child bind it seconds later:
in that gap another program can take the port. Measured: in one run of the test suite the two
workers were handed the same port by `free_port()` 20 times, each time 47 s or more apart
(harmless); seconds apart, the second program to bind exits, or something else answers on its
port. The supervisor closes its copy once the child has started, so a dead child's port is free
again (connections are refused, as before), and a restarted child binds its port itself.

Without `<P>LISTEN_FD` a server binds its host and port as before (docker-compose, Kubernetes).
"""

from __future__ import annotations

import socket
import subprocess
from typing import Any

BACKLOG = 2048  # uvicorn's default


class ListenFdError(ValueError):
    """`<P>LISTEN_FD` names no listening TCP socket of this process."""


# Ports this process chose: bound here, or handed out by `free_port()` for a server to bind
# later. The kernel knows only the ports bound now, so a bind to port 0 could otherwise return a
# port `free_port()` gave a nats-server that has not bound it yet (a CI run lost its browser
# tests' stack that way: the console's socket took the embedded NATS's client port).
_chosen: set[int] = set()


def choose(port: int) -> bool:
    """Record `port` as chosen by this process; False if it was chosen before."""
    if port in _chosen:
        return False
    _chosen.add(port)
    return True


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on (host, port), `port` 0 for any free port this process has not
    chosen before. Not inheritable: only the child it is passed to (`pass_fds`) gets it.

    Raises OSError when the port is taken (or the host is not this machine's)."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    if port != 0:
        return socket.create_server((host, port), family=family, backlog=BACKLOG)
    passed_over: list[socket.socket] = []  # held until the end, so the kernel moves on
    try:
        while True:
            sock = socket.create_server((host, 0), family=family, backlog=BACKLOG)
            if choose(int(sock.getsockname()[1])):
                return sock
            passed_over.append(sock)
    finally:
        for sock in passed_over:
            sock.close()


def inherited_socket(fd: int) -> socket.socket:
    """The listening socket passed down as file descriptor `fd`, checked to be one."""
    try:
        sock = socket.socket(fileno=fd)
    except OSError as exc:
        raise ListenFdError(f"LISTEN_FD={fd} is not an open socket: {exc.strerror}") from exc
    if sock.type != socket.SOCK_STREAM or not sock.getsockopt(
        socket.SOL_SOCKET, socket.SO_ACCEPTCONN
    ):
        sock.detach()  # not ours to close
        raise ListenFdError(f"LISTEN_FD={fd} is not a listening TCP socket")
    return sock


class HandedPort:
    """A port bound by a parent process and handed to the first life of one child process."""

    def __init__(self, host: str, port: int = 0) -> None:
        self._sock: socket.socket | None = listening_socket(host, port)  # OSError: taken
        self.host = host
        self.port = int(self._sock.getsockname()[1])

    def popen(
        self, args: list[str], *, env: dict[str, str], fd_variable: str, **options: Any
    ) -> subprocess.Popen[bytes]:
        """Start the child. The first start gets the socket as `fd_variable`, and this process
        keeps no copy. A restart gets none and binds the port itself (its host and port
        settings), as it did before sockets were handed down: a socket bound before the restart
        would queue connections into a process that is still starting, or that keeps crashing,
        where a port nobody holds refuses them and a client fails over or retries at once (the
        chaos suite's clients count on feeling a killed gateway)."""
        sock, self._sock = self._sock, None
        if sock is None:
            return subprocess.Popen(args, env=env, **options)
        try:
            env = {**env, fd_variable: str(sock.fileno())}
            return subprocess.Popen(args, env=env, pass_fds=(sock.fileno(),), **options)
        finally:
            sock.close()

    def close(self) -> None:
        """Release the port if no child took it (a start that failed first)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def spawn(
    args: list[str],
    *,
    env: dict[str, str],
    port: HandedPort | None,
    fd_variable: str,
    **options: Any,
) -> subprocess.Popen[bytes]:
    """Popen, with `port`'s socket handed down as `fd_variable` when there is one."""
    if port is None:
        return subprocess.Popen(args, env=env, **options)
    return port.popen(args, env=env, fd_variable=fd_variable, **options)
