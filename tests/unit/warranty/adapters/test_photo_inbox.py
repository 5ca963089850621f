"""The photo inbox on the object store: a photo is taken once (deleted whatever the outcome),
and bytes that do not match the hash the gateway sent are refused."""

from __future__ import annotations

import hashlib

import pytest

from services.warranty.adapters.photo_inbox import (
    ObjectStorePhotoInbox,
    PhotoGone,
    PhotoHashMismatch,
)
from tests.support.photo_bucket import FakeObjectBucket

PHOTO = b"\x89PNG pretend photo bytes"
SHA = hashlib.sha256(PHOTO).hexdigest()


def inbox_over(bucket: FakeObjectBucket) -> ObjectStorePhotoInbox:
    inbox = ObjectStorePhotoInbox(lambda: None)
    inbox._bucket = bucket  # bound already: no JetStream needed
    return inbox


async def test_a_photo_is_read_once_and_then_gone() -> None:
    bucket = FakeObjectBucket()
    await bucket.put("photo-0123456789ab", PHOTO)
    inbox = inbox_over(bucket)
    assert await inbox.take("photo-0123456789ab", SHA) == PHOTO
    assert bucket.objects == {} and bucket.deleted == ["photo-0123456789ab"]
    with pytest.raises(PhotoGone):
        await inbox.take("photo-0123456789ab", SHA)


async def test_bytes_that_do_not_match_the_hash_are_refused_and_deleted() -> None:
    bucket = FakeObjectBucket()
    await bucket.put("photo-0123456789ab", PHOTO + b"tampered")
    with pytest.raises(PhotoHashMismatch) as refused:
        await inbox_over(bucket).take("photo-0123456789ab", SHA)
    assert refused.value.code == "photo_hash_mismatch"
    assert bucket.objects == {}


async def test_a_photo_never_put_is_gone() -> None:
    with pytest.raises(PhotoGone) as gone:
        await inbox_over(FakeObjectBucket()).take("photo-0123456789ab", SHA)
    assert gone.value.code == "photo_expired"
