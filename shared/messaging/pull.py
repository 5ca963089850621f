"""Creating the durable pull consumer of an `EventRoute`, the same way from every replica.

Every replica calls `bind_pull_consumer` at start-up, possibly at the same instant. Creating a
pull consumer is idempotent in JetStream (same config: the existing consumer is returned; a
changed limit such as `max_deliver`: it is updated), and a pull consumer has no deliver subject,
so there is nothing a racing replica can bind differently.

Consumers created before issue 20 were push consumers with a deliver group. JetStream cannot turn
a push consumer into a pull one, so the first replica that finds one deletes it and creates the
pull consumer starting after the push consumer's ack floor: nothing acked is delivered again,
and whatever was in flight is redelivered (the inbox makes that harmless).
"""

from __future__ import annotations

import structlog
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, ConsumerInfo, DeliverPolicy
from nats.js.errors import NotFoundError

from shared.messaging.glue import EventRoute

log = structlog.get_logger()

MAX_IN_FLIGHT = 1024  # unacked deliveries per consumer, all replicas together (max_ack_pending)


def pull_config(route: EventRoute) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=route.durable,
        name=route.durable,
        filter_subject=route.subject,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=route.ack_wait_s,
        max_deliver=route.max_deliver,
        deliver_policy=DeliverPolicy.ALL,
        max_ack_pending=MAX_IN_FLIGHT,
    )


async def bind_pull_consumer(
    js: JetStreamContext, stream: str, config: ConsumerConfig
) -> JetStreamContext.PullSubscription:
    durable = config.durable_name or ""
    existing = await _consumer_info(js, stream, durable)
    if existing is not None and existing.config.deliver_subject:
        config = _after_push_consumer(existing, config)
        try:
            await js.delete_consumer(stream, durable)
        except NotFoundError:  # another replica migrated it first
            pass
        log.info("consumer.migrated_to_pull", consumer=durable, start_seq=config.opt_start_seq)
    elif existing is not None:
        # The start position cannot change once set (a migrated consumer starts at a sequence).
        config.deliver_policy = existing.config.deliver_policy
        config.opt_start_seq = existing.config.opt_start_seq
    await js.add_consumer(stream, config)
    return await js.pull_subscribe_bind(durable=durable, stream=stream)


def _after_push_consumer(push: ConsumerInfo, config: ConsumerConfig) -> ConsumerConfig:
    floor = push.ack_floor.stream_seq if push.ack_floor is not None else 0
    config.deliver_policy = DeliverPolicy.BY_START_SEQUENCE
    config.opt_start_seq = (floor or 0) + 1
    return config


async def _consumer_info(js: JetStreamContext, stream: str, durable: str) -> ConsumerInfo | None:
    try:
        return await js.consumer_info(stream, durable)
    except NotFoundError:
        return None
