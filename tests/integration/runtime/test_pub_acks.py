"""A batch published with its PubAcks on one reply subscription (shared/messaging/pub_acks.py),
against a real nats-server: every answer read as `js.publish` reads it, in the rows' order.

The relay test at the end fails on the old relay, which sent each row as a request
(`Client.request`, a token and a timer each).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
from nats import errors as nats_errors
from nats.js import JetStreamContext
from nats.js import errors as js_errors
from nats.js.api import PubAck, StreamConfig

from shared.messaging.outbox import OutboxRow as Row
from shared.messaging.outbox import UnitOfWork
from shared.messaging.pub_acks import PubAcks
from tests.integration.runtime.test_relay_hand_over import running_relay
from tests.support.runtime.sample_events import credit_event, stream_count
from tests.support.waiting import eventually


def row(msg_id: str, subject: str = "acks.item", payload: bytes = b"{}", **headers: str) -> Row:
    return Row(0, subject, payload, {"Nats-Msg-Id": msg_id, **headers})


@pytest.fixture
async def js(nats_server) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="ACKS", subjects=["acks.>"], duplicate_window=60))
    yield js
    await nc.close()


async def stored(js: JetStreamContext, seq: int) -> bytes:
    return (await js.get_msg("ACKS", seq)).data or b""


async def test_a_batch_is_stored_in_order_and_each_row_gets_its_own_pub_ack(js):
    rows = [row(f"m{i}", payload=b'{"n":%d}' % i) for i in range(50)]
    results = await PubAcks(js).publish(rows, timeout=5)
    assert all(isinstance(r, PubAck) for r in results)
    assert [r.seq for r in results] == list(range(1, 51))
    assert [await stored(js, r.seq) for r in results] == [r.payload for r in rows]


async def test_a_repeated_msg_id_is_acked_as_a_duplicate_and_not_stored_again(js):
    acks = PubAcks(js)
    await acks.publish([row("same")], timeout=5)
    (again,) = await acks.publish([row("same")], timeout=5)
    assert isinstance(again, PubAck) and again.duplicate
    assert (await js.stream_info("ACKS")).state.messages == 1


async def test_refusals_are_the_errors_js_publish_raises_and_do_not_stop_the_rest(js):
    nc = js._nc
    too_big = row("big", payload=b"x" * (nc.max_payload + 1))
    wrong_stream = row("wrong", **{"Nats-Expected-Stream": "OTHER"})
    no_stream = row("none", subject="nobody.listens")
    batch = [row("a"), too_big, wrong_stream, no_stream, row("b")]
    results = await PubAcks(js).publish(batch, timeout=5)
    expected = [await _js_publish(js, r) for r in [row("a2"), too_big, wrong_stream, no_stream]]
    assert [type(r) for r in results[1:4]] == [type(e) for e in expected[1:]]
    assert isinstance(results[2], js_errors.APIError)
    assert results[2].err_code == expected[2].err_code
    assert isinstance(results[0], PubAck) and isinstance(results[4], PubAck)
    assert results[4].seq == results[0].seq + 1


async def test_a_row_nobody_answers_times_out_and_leaves_nothing_waiting(js):
    nc = js._nc
    await nc.subscribe("silent.subject", cb=_ignore)  # a responder that never answers
    acks = PubAcks(js)
    results = await acks.publish([row("a"), row("x", subject="silent.subject")], timeout=0.3)
    assert isinstance(results[0], PubAck)
    assert isinstance(results[1], nats_errors.TimeoutError)
    assert acks._waiting == {}


async def test_the_relay_publishes_without_a_request_per_row(nats_server, sqlite_url):
    async with running_relay(nats_server.url, sqlite_url) as (db, js, relay):
        nc, requests = js._nc, []
        real_request = nc.request

        async def counting_request(*args: Any, **kwargs: Any) -> Any:
            requests.append(args[0])
            return await real_request(*args, **kwargs)

        nc.request = counting_request  # type: ignore[method-assign]
        async with UnitOfWork(db, on_commit=relay.hand_over)() as tx:
            for _ in range(20):
                tx.publish(credit_event())

        async def all_published() -> bool:
            return relay.published_total == 20

        await eventually(all_published)
        nc.request = real_request  # type: ignore[method-assign]
        assert await stream_count(js) == 20
        assert requests == []


async def _js_publish(js: JetStreamContext, r: Row) -> Any:
    try:
        return await js.publish(r.subject, r.payload, headers=dict(r.headers), timeout=5)
    except Exception as exc:
        return exc


async def _ignore(msg: Any) -> None:
    return None


async def test_a_stand_in_jetstream_without_a_connection_gets_its_own_publish_per_row():
    class StandIn:  # as bench/notifications_apply.py hands the relay
        sent: list[str] = []

        async def publish(self, subject: str, payload: bytes, headers: Any = None) -> Any:
            if subject == "bad":
                raise ValueError(subject)
            self.sent.append(subject)
            return "ack"

    results = await PubAcks(StandIn()).publish([row("a"), row("b", subject="bad")], timeout=1)  # type: ignore[arg-type]
    assert results[0] == "ack" and isinstance(results[1], ValueError)
    assert StandIn.sent == ["acks.item"]
