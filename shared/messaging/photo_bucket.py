"""The JetStream object store bucket that carries label photos from the gateway to the warranty
service (shared/contracts/label_photos.py), declared here once with its full configuration.

Both sides open it with `open_photo_bucket`: bind when it exists, create it otherwise (so either
may start first; creating an identical bucket twice is accepted by the server).
"""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import ObjectStoreConfig, StorageType
from nats.js.errors import BucketNotFoundError
from nats.js.object_store import ObjectStore

from shared.contracts.label_photos import PHOTO_BUCKET, PHOTO_BUCKET_MAX_BYTES, PHOTO_TTL_S


def photo_bucket_config(replicas: int = 1) -> ObjectStoreConfig:
    return ObjectStoreConfig(
        bucket=PHOTO_BUCKET,
        description="Label photos on their way to the warranty service (read once, then deleted)",
        ttl=PHOTO_TTL_S,  # what nobody read expires: photos never pile up
        max_bytes=PHOTO_BUCKET_MAX_BYTES,
        storage=StorageType.FILE,
        replicas=replicas,
    )


async def open_photo_bucket(js: JetStreamContext, replicas: int = 1) -> ObjectStore:
    try:
        return await js.object_store(PHOTO_BUCKET)
    except BucketNotFoundError:
        # nats-py overwrites `config.bucket` with the `bucket` argument: pass both.
        return await js.create_object_store(PHOTO_BUCKET, config=photo_bucket_config(replicas))
