"""The photo use case: refused or unreadable photos store nothing; OCR runs off the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from services.warranty.adapters.blob_store import LocalFolderBlobStore
from services.warranty.adapters.photos import PhotoRefused, clean_photo
from services.warranty.domain.label_reading import LabelUnreadable, TextLine
from services.warranty.service_layer.label_photos import LabelPhotos, ReaderBusy
from tests.support.warranty.label_fixtures import CODE, label_photo


class FakeReader:
    def __init__(self, texts: list[str], delay: float = 0.0) -> None:
        self.texts, self.delay, self.threads = texts, delay, set()

    def read(self, image: bytes) -> list[TextLine]:
        self.threads.add(threading.current_thread().name)
        time.sleep(self.delay)  # a slow engine: must not block the event loop
        return [TextLine(t, 0.9) for t in self.texts]


def use_case(tmp_path: Path, reader: FakeReader, **kw) -> LabelPhotos:  # type: ignore[no-untyped-def]
    from services.warranty.adapters.reference_data import load_catalogue

    blobs = LocalFolderBlobStore(tmp_path / "blobs")
    return LabelPhotos(reader, blobs, load_catalogue(), clean_photo, **kw)


async def test_a_read_code_keeps_the_clean_photo(tmp_path: Path) -> None:
    reader = FakeReader(["LEATHER", CODE])
    result = await use_case(tmp_path, reader).read(label_photo(exif=True))
    assert result.reading.label.code == CODE
    assert (tmp_path / "blobs" / result.photo_key).exists()
    assert all(name.startswith("ocr") for name in reader.threads)


@pytest.mark.parametrize(
    ("photo", "texts", "error"),
    [(b"not an image", [CODE], PhotoRefused), (None, ["nothing useful"], LabelUnreadable)],
)
async def test_nothing_is_stored_on_refusal(tmp_path: Path, photo, texts, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error):
        await use_case(tmp_path, FakeReader(texts)).read(photo or label_photo())
    assert not (tmp_path / "blobs").exists() or not any((tmp_path / "blobs").iterdir())


async def test_a_slow_reading_does_not_stall_the_loop_and_bursts_are_bounded(tmp_path: Path):
    photos = use_case(tmp_path, FakeReader([CODE], delay=0.5), workers=1, max_waiting=1)
    first = asyncio.create_task(photos.read(label_photo()))
    second = asyncio.create_task(photos.read(label_photo()))
    started = time.monotonic()
    await asyncio.sleep(0.05)  # the loop is free while OCR runs
    assert time.monotonic() - started < 0.3
    with pytest.raises(ReaderBusy):
        await photos.read(label_photo())
    assert (await first).reading.label.code == CODE and (await second).photo_key


class FakeInbox:
    """Photos handed over by name; each is taken once."""

    def __init__(self, photos: dict[str, bytes]) -> None:
        self.photos = photos
        self.taken: list[tuple[str, str]] = []

    async def take(self, name: str, sha256: str) -> bytes:
        self.taken.append((name, sha256))
        return self.photos.pop(name)


async def test_a_handed_over_photo_is_taken_from_the_inbox_and_read(tmp_path: Path) -> None:
    inbox = FakeInbox({"photo-1": label_photo()})
    photos = use_case(tmp_path, FakeReader([CODE]), inbox=inbox)
    result = await photos.read_handed_over("photo-1", "ab" * 32)
    assert result.reading.label.code == CODE
    assert inbox.taken == [("photo-1", "ab" * 32)] and inbox.photos == {}


async def test_a_refused_handed_over_photo_stores_nothing(tmp_path: Path) -> None:
    photos = use_case(tmp_path, FakeReader([CODE]), inbox=FakeInbox({"photo-1": b"GIF89a"}))
    with pytest.raises(PhotoRefused):
        await photos.read_handed_over("photo-1", "ab" * 32)
    assert not (tmp_path / "blobs").exists()
