"""Publishing a batch to JetStream and awaiting every PubAck, without a request per message.

`js.publish` is a request: per message a NUID and random token, a future, a `wait_for` (a timer)
and, fired together through `asyncio.gather`, a task each. The relay measured 141 us of CPU per
event published this way (bench/cpu_msg_runtime.py). Here a batch goes out as plain publishes on
one connection, each with a reply subject under one wildcard subscription (`<inbox>.<n>`), in
the order given, so the server stores them in that order, as before; one deadline covers the
batch. The answers are read as `js.publish` reads them: a PubAck, an API error (the same
`nats.js.errors` classes) or "no responders" (`NoStreamResponseError`); a message with no answer
by the deadline gets `nats.errors.TimeoutError`. Nothing is counted as stored without its PubAck.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import orjson
from nats import errors as nats_errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js import errors as js_errors
from nats.js.api import Header, PubAck

from shared.messaging.outbox import OutboxRow

NO_RESPONDERS = "503"


class PubAcks:
    """One wildcard reply subscription on `js`'s connection, opened at the first batch."""

    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self._sub: Subscription | None = None
        self._prefix = ""
        self._next = 0
        self._waiting: dict[str, asyncio.Future[Msg]] = {}

    async def publish(self, rows: Sequence[OutboxRow], timeout: float) -> list[Any]:
        """Each row's PubAck or the exception its publish raised, in the rows' order."""
        nc: Client | None = getattr(self.js, "_nc", None)
        if nc is None:  # a stand-in JetStream without a connection (a bench's): its own publish
            return [await _outcome(self.js.publish(r.subject, r.payload, headers=r.headers))
                    for r in rows]  # fmt: skip
        if self._sub is None:
            self._prefix = nc.new_inbox() + "."
            self._sub = await nc.subscribe(self._prefix + "*", cb=self._on_reply)
        sent = [await self._send(nc, row) for row in rows]
        try:
            async with asyncio.timeout(timeout):
                await asyncio.wait([answer for _, answer in sent])
        except TimeoutError:
            pass
        finally:  # answered, timed out or cancelled: nothing of this batch is awaited any more
            for token, _ in sent:
                self._waiting.pop(token, None)
        return [_read(answer) for _, answer in sent]

    async def _send(self, nc: Client, row: OutboxRow) -> tuple[str, asyncio.Future[Msg]]:
        self._next += 1
        token = str(self._next)
        answer = self._waiting[token] = asyncio.get_running_loop().create_future()
        try:
            await nc.publish(row.subject, row.payload, self._prefix + token, row.headers)
        except Exception as exc:  # refused before it left (too big, bad subject, closed)
            answer.set_exception(exc)
        return token, answer

    async def _on_reply(self, msg: Msg) -> None:
        answer = self._waiting.pop(msg.subject[len(self._prefix) :], None)
        if answer is not None and not answer.done():
            answer.set_result(msg)


def _pub_ack(msg: Msg) -> PubAck | Exception:
    """As `js.publish` reads an answer."""
    if msg.headers and msg.headers.get(Header.STATUS) == NO_RESPONDERS:
        return js_errors.NoStreamResponseError()
    try:
        resp = orjson.loads(msg.data)
    except orjson.JSONDecodeError as exc:
        return exc
    if "error" in resp:
        try:
            js_errors.APIError.from_error(resp["error"])  # raises the error's own class
        except js_errors.APIError as exc:
            return exc
    return PubAck.from_response(resp)


def _read(answer: asyncio.Future[Msg]) -> Any:
    if not answer.done():
        answer.cancel()
        return nats_errors.TimeoutError()
    if (exc := answer.exception()) is not None:
        return exc
    return _pub_ack(answer.result())


async def _outcome(publishing: Any) -> Any:
    try:
        return await publishing
    except Exception as exc:
        return exc
