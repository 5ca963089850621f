"""The pull feed a consumer reads through, against a real nats-server: an open request is kept,
renewed when it ends, bounded to two batches unacked, ends cleanly when closing, and says so
when its durable is gone."""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from shared.messaging.pull import ConsumerGone, PullFeed

STREAM, SUBJECT, DURABLE = "FEEDTEST", "feedtest.item", "feed-durable"


@asynccontextmanager
async def opened_feed(url: str, batch: int, expires_s: float):  # type: ignore[no-untyped-def]
    """A stream, its durable and an open feed on it; closed, and the connection drained, after."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM, subjects=[f"{STREAM.lower()}.>"]))
    await js.add_consumer(STREAM, ConsumerConfig(durable_name=DURABLE, filter_subject=SUBJECT,
                                                 ack_policy=AckPolicy.EXPLICIT, ack_wait=30))  # fmt: skip
    feed = PullFeed(js, STREAM, DURABLE, batch=batch, expires_s=expires_s)
    await feed.open()
    try:
        yield js, feed
    finally:
        await feed.close()
        await nc.drain()


async def _group(feed: PullFeed, timeout: float = 10.0) -> list[nats.aio.msg.Msg]:
    async with asyncio.timeout(timeout):
        return await feed.next_group(64, 0.0)


async def test_messages_published_after_requests_expired_still_arrive(nats_server):
    async with opened_feed(nats_server.url, batch=8, expires_s=0.3) as (js, feed):
        waiting = asyncio.create_task(_group(feed))
        await asyncio.sleep(1.0)  # three requests expired meanwhile, each renewed
        await js.publish(SUBJECT, b"late")
        group = await waiting
        assert [m.data for m in group] == [b"late"]
        await group[0].ack()


async def test_a_backlog_comes_in_groups_with_at_most_two_batches_unacked(nats_server):
    async with opened_feed(nats_server.url, batch=4, expires_s=5.0) as (js, feed):
        for i in range(20):
            await js.publish(SUBJECT, str(i).encode())
        seen: list[bytes] = []
        while len(seen) < 20:
            group = await _group(feed)
            await asyncio.sleep(0.05)  # the consumer at work: the next batch arrives meanwhile
            info = await js.consumer_info(STREAM, DURABLE)
            assert info.num_ack_pending <= 2 * 4
            for m in group:
                seen.append(m.data)
                await m.ack()
        assert seen == [str(i).encode() for i in range(20)]  # in stream order, each once


async def test_closing_applies_what_the_open_request_brings_then_ends(nats_server):
    async with opened_feed(nats_server.url, batch=8, expires_s=0.5) as (js, feed):
        await js.publish(SUBJECT, b"first")
        first = await _group(feed)
        feed.closing = True
        await js.publish(SUBJECT, b"while closing")  # the request asked before closing is open
        rest = []
        async with asyncio.timeout(5):
            while not feed.drained:
                rest += await feed.next_group(64, 0.0)
        assert [m.data for m in first + rest] == [b"first", b"while closing"]
        await js.publish(SUBJECT, b"after")
        await asyncio.sleep(0.7)
        assert await feed.next_group(64, 0.0) == []  # nothing more was asked for
        assert (await js.consumer_info(STREAM, DURABLE)).num_pending == 1


async def test_a_deleted_durable_is_reported(nats_server):
    async with opened_feed(nats_server.url, batch=8, expires_s=5.0) as (js, feed):
        await js.publish(SUBJECT, b"one")
        await _group(feed)
        await js.delete_consumer(STREAM, DURABLE)
        with pytest.raises(ConsumerGone):
            async with asyncio.timeout(10):
                while True:
                    await feed.next_group(64, 0.0)


async def test_a_second_message_of_a_burst_joins_the_first(nats_server):
    async with opened_feed(nats_server.url, batch=8, expires_s=5.0) as (js, feed):
        await js.publish(SUBJECT, b"warm")
        await (await _group(feed))[0].ack()
        waiting = asyncio.create_task(feed.next_group(64, 1.0))  # a long linger: no timing race
        await asyncio.sleep(0.1)
        await js.publish(SUBJECT, b"a")
        await asyncio.sleep(0.05)
        await js.publish(SUBJECT, b"b")
        assert [m.data for m in await waiting] == [b"a", b"b"]


async def test_under_a_stream_a_group_gathers_for_the_gather_window(nats_server):
    async with opened_feed(nats_server.url, batch=8, expires_s=5.0) as (js, feed):
        await js.publish(SUBJECT, b"warm")
        await (await _group(feed))[0].ack()  # the last group was taken just now: a stream
        gathering = asyncio.create_task(feed.next_group(64, 0.0, 1.0))  # long: no timing race
        for data in (b"a", b"b", b"c"):
            await js.publish(SUBJECT, data)
            await asyncio.sleep(0.1)  # far apart for a linger, well inside the gather window
        assert [m.data for m in await gathering] == [b"a", b"b", b"c"]


async def test_a_gathered_group_stops_at_its_limit(nats_server):
    async with opened_feed(nats_server.url, batch=8, expires_s=5.0) as (js, feed):
        await js.publish(SUBJECT, b"warm")
        await (await _group(feed))[0].ack()
        for data in (b"a", b"b", b"c"):
            await js.publish(SUBJECT, data)
        async with asyncio.timeout(2.0):  # well short of the 30 s window: the limit ended it
            group = await feed.next_group(2, 0.0, 30.0)
        assert [m.data for m in group] == [b"a", b"b"]


async def test_a_gathering_group_stops_once_it_holds_enough(nats_server):
    async with opened_feed(nats_server.url, batch=8, expires_s=5.0) as (js, feed):
        await js.publish(SUBJECT, b"warm")
        await (await _group(feed))[0].ack()  # a stream: the group gathers
        for data in (b"a", b"b", b"c"):
            await js.publish(SUBJECT, data)
        await asyncio.sleep(0.05)  # all three in hand before the group is asked for
        async with asyncio.timeout(2.0):  # well short of the 30 s window: "enough" ended it
            group = await feed.next_group(64, 0.0, 30.0, enough=2)
        assert [m.data for m in group] == [b"a", b"b", b"c"]  # enough stops the wait, not the take


async def test_a_gathering_group_short_of_enough_waits_for_the_window(nats_server):
    async with opened_feed(nats_server.url, batch=8, expires_s=5.0) as (js, feed):
        await js.publish(SUBJECT, b"warm")
        await (await _group(feed))[0].ack()
        await js.publish(SUBJECT, b"a")
        await asyncio.sleep(0.05)
        started = time.monotonic()
        gathering = asyncio.create_task(feed.next_group(64, 0.0, 0.5, enough=3))
        await asyncio.sleep(0.1)
        await js.publish(SUBJECT, b"b")  # two of three: the group still waits
        group = await gathering
        assert [m.data for m in group] == [b"a", b"b"]
        assert time.monotonic() - started > 0.3  # held for the window, not ended by a count


async def test_after_a_quiet_spell_an_event_does_not_wait_for_the_gather_window(nats_server):
    async with opened_feed(nats_server.url, batch=8, expires_s=5.0) as (js, feed):
        await js.publish(SUBJECT, b"warm")
        await (await _group(feed))[0].ack()
        await asyncio.sleep(0.6)  # longer than the window below: the stream has ended
        await js.publish(SUBJECT, b"alone")
        await asyncio.sleep(0.05)  # in hand before it is asked for
        started = time.monotonic()
        group = await feed.next_group(64, 0.0, 0.4)
        assert [m.data for m in group] == [b"alone"]
        assert time.monotonic() - started < 0.2  # a gather would have held it about 0.35 s


async def test_a_stream_is_told_by_the_gaps_between_events_not_by_when_groups_were_taken(
    nats_server,
):
    """Events 0.6 s apart against a 0.4 s window are not a stream, though each came soon after
    the group before was taken (that group waited out the window): none waits the window."""
    async with opened_feed(nats_server.url, batch=8, expires_s=5.0) as (js, feed):
        await js.publish(SUBJECT, b"warm")
        await (await _group(feed))[0].ack()
        await js.publish(SUBJECT, b"a")  # just after "warm": a stream, so "a" waits the window
        group = await feed.next_group(64, 0.0, 0.4)
        assert [m.data for m in group] == [b"a"]
        await group[0].ack()
        await asyncio.sleep(0.2)  # "b" comes 0.6 s after "a", 0.2 s after a's group was taken
        await js.publish(SUBJECT, b"b")
        await asyncio.sleep(0.05)  # in hand before it is asked for
        started = time.monotonic()
        group = await feed.next_group(64, 0.0, 0.4)
        assert [m.data for m in group] == [b"b"]
        assert time.monotonic() - started < 0.2  # held as a stream it would wait about 0.35 s
