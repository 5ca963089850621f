"""Two servers that run less code per request than the bare FastAPI app, for `bench.cpu_wake`.

- `raw_app`: an ASGI app under the same uvicorn (uvloop, httptools) that answers every request
  with a fixed JSON body: the server without FastAPI's routing, dependencies and validation.
- `python -m bench.wake_servers`: a uvloop stream server that answers every read with a fixed
  HTTP response: an asyncio process and almost nothing else. It serves the listening socket its
  parent bound and handed down (`WAKE_LISTEN_FD`, shared/runtime/listen.py), so the parent can
  connect at once.

The same client against the three says how a wake's cost grows with the code a request runs.
"""

from __future__ import annotations

import asyncio
import os
import socket
from typing import Any

import uvloop

from shared.runtime.listen import inherited_socket

LISTEN_FD = "WAKE_LISTEN_FD"

BODY = b'{"order_id":"ord_wake","status":"pending"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]
ECHO_ANSWER = b"HTTP/1.1 201 Created\r\ncontent-length: %d\r\n\r\n%s" % (len(BODY), BODY)


async def raw_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    status = 201 if scope["method"] == "POST" else 200
    await send({"type": "http.response.start", "status": status, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while await reader.read(65536):  # one request per read on loopback
        writer.write(ECHO_ANSWER)
    writer.close()


async def serve(sock: socket.socket) -> None:
    server = await asyncio.start_server(_answer, sock=sock)
    await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(serve(inherited_socket(int(os.environ[LISTEN_FD]))))
