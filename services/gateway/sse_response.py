"""The gateway's SSE response: sse-starlette's, without a cancel scope around every event.

`EventSourceResponse._send_with_timeout` enters `anyio.move_on_after(send_timeout)` for each
event it sends. The gateway sets no send timeout (a stream ends when its client leaves or the
gateway stops), and a scope with no deadline that nobody else holds can never be cancelled, so
it only cost its entry and exit: about 6 us per event (`bench/cpu_gw_sse_send.py`: 13.4 ->
7.0 us in the response layer), a few percent of the gateway's CPU per in-app event. With a send timeout set, sse-starlette's own path runs as before.
"""

from __future__ import annotations

from sse_starlette import EventSourceResponse
from starlette.types import Message, Send


class EventStreamResponse(EventSourceResponse):
    async def _send_with_timeout(self, send: Send, message: Message) -> None:
        if self.send_timeout is None:
            await send(message)
            return
        await super()._send_with_timeout(send, message)
