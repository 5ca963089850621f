"""A durable left by an older release as a push consumer becomes a pull consumer that starts
after the push consumer's ack floor: nothing acked is applied again, nothing unacked is lost."""

from __future__ import annotations

import nats
from nats.js.api import AckPolicy, ConsumerConfig

from shared.messaging.streams import ensure_streams
from tests.integration.runtime.sample_service.app import SUBJECT, SampleSettings, build
from tests.support.runtime.sample_events import DURABLE, STREAM, account_total, credit_event
from tests.support.waiting import eventually


async def test_push_durable_is_migrated_after_its_ack_floor(nats_server, tmp_path):
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await ensure_streams(js)
    for _ in range(5):
        await js.publish(SUBJECT, credit_event("old", 1).model_dump_json().encode())
    push = ConsumerConfig(durable_name=DURABLE, deliver_subject="old.inbox", deliver_group=DURABLE,
                          ack_policy=AckPolicy.EXPLICIT, filter_subject=SUBJECT)  # fmt: skip
    sub = await js.subscribe(SUBJECT, durable=DURABLE, queue=DURABLE, config=push, manual_ack=True)
    for _ in range(3):  # the old release applied three events and acked them
        await (await sub.next_msg(timeout=5)).ack()
    await sub.unsubscribe()

    rt = build(SampleSettings(nats_url=nats_server.url,
                              database_url=f"sqlite+aiosqlite:///{tmp_path}/s.db"))  # fmt: skip
    await rt.app.start()
    try:
        await js.publish(SUBJECT, credit_event("old", 1).model_dump_json().encode())
        await eventually(lambda: _total_is(rt, 3))  # events 4 and 5, and the new one
        info = await js.consumer_info(STREAM, DURABLE)
        assert not info.config.deliver_subject  # a pull consumer now
        assert await account_total(rt.db, "old") == 3
    finally:
        await rt.app.stop()
        await nc.drain()


async def _total_is(rt, expected: int) -> bool:  # type: ignore[no-untyped-def]
    return await account_total(rt.db, "old") >= expected
