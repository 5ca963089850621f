"""What the gateway holds while it runs, and the FastAPI dependencies that hand it to routers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import BucketNotFoundError

from services.gateway.auth import Authenticator
from services.gateway.idempotency import BUCKET as IDEMPOTENCY_BUCKET
from services.gateway.idempotency import IdempotencyStore
from services.gateway.idempotency_lease import DEADLINE_MARGIN_SECONDS, OwnerProbe, process_owner
from services.gateway.kv import ATTEMPT_TIMEOUT_S, RidingKV
from services.gateway.limits import TokenBucketLimiter
from services.gateway.partner_keys import BUCKET as PARTNER_KEYS_BUCKET
from services.gateway.partner_keys import KeyValueLike, PartnerKeyStore
from services.gateway.replicas import BUCKET as REPLICAS_BUCKET
from services.gateway.replicas import ReplicaCensus
from services.gateway.rpc_retry import RidingRpc
from services.gateway.settings import GatewaySettings
from services.gateway.stream_slots import StreamSlots
from shared.errors import DomainError, ErrorKind
from shared.rpc import RpcClient


@dataclass
class Runtime:
    settings: GatewaySettings
    authenticator: Authenticator
    idempotency: IdempotencyStore
    partner_keys: PartnerKeyStore
    limiter: TokenBucketLimiter
    rpc: Any  # RpcClient, or a fake with the same `call`
    stream_slots: StreamSlots
    js: JetStreamContext | None = None
    nc: Client | None = None
    inbox_feed: Any = None  # sse_feed.SharedFeed of the inbox streams, made on the first one


def build_runtime(
    settings: GatewaySettings,
    *,
    idempotency_kv: KeyValueLike,
    partner_kv: KeyValueLike,
    rpc: Any,
    js: JetStreamContext | None = None,
    nc: Client | None = None,
    probe: OwnerProbe | None = None,
) -> Runtime:
    keys = PartnerKeyStore(RidingKV(partner_kv), settings.api_key_pepper)
    return Runtime(
        settings=settings,
        authenticator=Authenticator(settings, keys),
        idempotency=IdempotencyStore(
            RidingKV(idempotency_kv),
            deadline_seconds=settings.rpc_timeout_seconds + DEADLINE_MARGIN_SECONDS,
            owner=probe.owner if probe is not None else process_owner(settings.instance),
            probe=probe,
        ),
        partner_keys=keys,
        limiter=TokenBucketLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst),
        rpc=RidingRpc(rpc),
        stream_slots=StreamSlots(settings.sse_max_streams_per_caller),
        js=js,
        nc=nc,
    )


async def open_bucket(
    js: JetStreamContext, bucket: str, *, ttl: float | None, history: int, replicas: int
) -> Any:
    """Bind to a KV bucket, creating it on first use (idempotent across replicas)."""
    try:
        return await js.key_value(bucket)
    except BucketNotFoundError:
        return await js.create_key_value(bucket=bucket, ttl=ttl, history=history, replicas=replicas)


async def open_replica_census(runtime: Runtime) -> ReplicaCensus:
    assert runtime.js is not None
    settings = runtime.settings
    ttl = 3 * settings.replica_heartbeat_seconds  # three missed beats: gone
    kv = await open_bucket(
        runtime.js, REPLICAS_BUCKET, ttl=ttl, history=1, replicas=settings.stream_replicas
    )
    status = await kv.status()
    if status.ttl is None or abs(status.ttl - ttl) > 0.001:
        # The bucket outlives any one setting: a longer heartbeat must lengthen it, or live
        # replicas would expire between beats and each would enforce too large a share.
        config = status.stream_info.config
        config.max_age = ttl
        await runtime.js.update_stream(config)
    return ReplicaCensus(
        runtime.js, kv, settings.instance, runtime.limiter, settings.replica_heartbeat_seconds
    )


async def open_buckets(js: JetStreamContext, settings: GatewaySettings) -> tuple[Any, Any]:
    idempotency = await open_bucket(
        js,
        IDEMPOTENCY_BUCKET,
        ttl=settings.idempotency_ttl_seconds,
        history=1,
        replicas=settings.stream_replicas,
    )
    partner_keys = await open_bucket(
        js, PARTNER_KEYS_BUCKET, ttl=None, history=5, replicas=settings.stream_replicas
    )
    return idempotency, partner_keys


async def runtime_from_nats(settings: GatewaySettings, nc: Client) -> Runtime:
    js = nc.jetstream()
    # Short requests on the buckets, so RidingKV has room to retry within a request's deadline.
    idempotency_kv, partner_kv = await open_buckets(
        nc.jetstream(timeout=ATTEMPT_TIMEOUT_S), settings
    )
    rpc = RpcClient(nc, default_timeout=settings.rpc_timeout_seconds)
    # Answers "is the owner of this key alive?" for this process, so a retry reaching another
    # replica after this one was killed takes the key over at once (idempotency_lease.py).
    probe = OwnerProbe(nc, process_owner(settings.instance))
    await probe.start()
    return build_runtime(
        settings,
        idempotency_kv=idempotency_kv,
        partner_kv=partner_kv,
        rpc=rpc,
        js=js,
        nc=nc,
        probe=probe,
    )


# --- dependencies for routers ---------------------------------------------------------------------


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def get_rpc(request: Request) -> RpcClient:
    return get_runtime(request).rpc  # type: ignore[no-any-return]


async def get_js(request: Request) -> JetStreamContext:
    js = get_runtime(request).js
    if js is None:
        raise DomainError(
            "Live updates are not available.",
            code="upstream_unavailable",
            kind=ErrorKind.UNAVAILABLE,
        )
    return js


async def get_settings(request: Request) -> GatewaySettings:
    return get_runtime(request).settings


Rpc = Annotated[RpcClient, Depends(get_rpc)]
JetStream = Annotated[JetStreamContext, Depends(get_js)]
Settings = Annotated[GatewaySettings, Depends(get_settings)]
