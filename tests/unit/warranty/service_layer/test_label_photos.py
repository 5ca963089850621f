"""The photo use case: a read photo is kept metadata-free and recorded with who sent it; refused
or unreadable photos store nothing (no blob, no row); OCR runs off the event loop."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from services.warranty.adapters.blob_store import LocalFolderBlobStore
from services.warranty.adapters.photos import PhotoRefused, clean_photo
from services.warranty.adapters.tables import label_photos
from services.warranty.domain.label_reading import LabelUnreadable, TextLine
from services.warranty.service_layer.label_photos import LabelPhotos, ReaderBusy
from tests.support.warranty.label_fixtures import CODE, label_photo
from tests.support.warranty.use_cases import Env


class FakeReader:
    def __init__(self, texts: list[str], delay: float = 0.0) -> None:
        self.texts, self.delay, self.threads = texts, delay, set()

    def read(self, image: bytes) -> list[TextLine]:
        self.threads.add(threading.current_thread().name)
        time.sleep(self.delay)  # a slow engine: must not block the event loop
        return [TextLine(t, 0.9) for t in self.texts]


@pytest.fixture
def use_case(env: Env, tmp_path: Path):  # type: ignore[no-untyped-def]
    from services.warranty.adapters.reference_data import load_catalogue

    def make(reader: FakeReader, **kw) -> LabelPhotos:  # type: ignore[no-untyped-def]
        blobs = LocalFolderBlobStore(tmp_path / "blobs")
        return LabelPhotos(reader, blobs, load_catalogue(), clean_photo, env.uow, clock=env.clock,
                           **kw)  # fmt: skip

    return make


async def kept_rows(env: Env) -> list:
    async with env.db.read() as s:
        return list((await s.execute(sa.select(label_photos))).mappings())


def bomb() -> bytes:
    """A tiny PNG whose header claims 9,000 x 9,000 pixels (81 MP, over the 40 MP limit)."""
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")
    return out.getvalue()


async def test_a_read_code_keeps_the_clean_photo(use_case, env: Env, tmp_path: Path) -> None:
    reader = FakeReader(["LEATHER", CODE])
    result = await use_case(reader).read(label_photo(exif=True), uploaded_by="cust-alice")
    assert result.reading.label.code == CODE
    [row] = await kept_rows(env)
    assert (row["photo_id"], row["label_code"]) == (result.photo_id, CODE)
    assert (row["uploaded_by"], row["claim_id"], row["content_type"]) == (
        "cust-alice", None, "image/jpeg")  # fmt: skip
    stored = (tmp_path / "blobs" / row["blob_key"]).read_bytes()
    assert Image.open(io.BytesIO(label_photo(exif=True))).getexif().get_ifd(0x8825)  # GPS sent
    kept = Image.open(io.BytesIO(stored))
    assert not kept.getexif() and "exif" not in kept.info and b"Exif" not in stored
    assert b"PhoneMaker" not in stored
    assert all(name.startswith("ocr") for name in reader.threads)


@pytest.mark.parametrize(
    ("photo", "texts", "error", "code"),
    [(b"not an image", [CODE], PhotoRefused, "photo_not_an_image"),
     (b"%PDF-1.7\n" + bytes(2000), [CODE], PhotoRefused, "photo_not_an_image"),
     (bomb(), [CODE], PhotoRefused, "photo_too_large"),
     (None, ["nothing useful"], LabelUnreadable, "label_unreadable")],
)  # fmt: skip
async def test_nothing_is_stored_on_refusal(use_case, env: Env, tmp_path: Path, photo, texts,
                                            error, code) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    reader = FakeReader(texts)
    with pytest.raises(error) as caught:
        await use_case(reader).read(photo or label_photo())
    assert caught.value.code == code
    assert not (tmp_path / "blobs").exists() or not any((tmp_path / "blobs").iterdir())
    assert await kept_rows(env) == []
    if error is PhotoRefused:
        assert reader.threads == set()  # refused before the OCR engine saw it


async def test_a_photo_whose_row_cannot_be_written_leaves_no_blob(use_case, tmp_path: Path):
    photos = use_case(FakeReader([CODE]))

    class BrokenUow:
        def __call__(self):  # type: ignore[no-untyped-def]
            raise ConnectionError("database away")

    photos.uow = BrokenUow()  # type: ignore[assignment]
    with pytest.raises(ConnectionError):
        await photos.read(label_photo())
    assert not any((tmp_path / "blobs").iterdir())


async def test_warming_up_loads_the_model_off_the_loop_and_is_bounded(use_case) -> None:
    class SlowToLoad(FakeReader):
        def warm_up(self) -> None:
            self.threads.add(threading.current_thread().name)
            time.sleep(0.3)

    reader = SlowToLoad([CODE])
    photos = use_case(reader)
    warming = asyncio.create_task(photos.warm_up(timeout=5))
    await asyncio.sleep(0.05)
    assert not photos.warmed  # /readyz says not ready meanwhile
    await warming
    assert photos.warmed and all(name.startswith("ocr") for name in reader.threads)
    stuck = use_case(SlowToLoad([CODE]))
    started = time.monotonic()
    await stuck.warm_up(timeout=0.05)  # gives up waiting: ready, the first photo waits instead
    assert stuck.warmed and time.monotonic() - started < 0.25


async def test_a_slow_reading_does_not_stall_the_loop_and_bursts_are_bounded(use_case):
    photos = use_case(FakeReader([CODE], delay=0.5), workers=1, max_waiting=1)
    first = asyncio.create_task(photos.read(label_photo()))
    second = asyncio.create_task(photos.read(label_photo()))
    started = time.monotonic()
    await asyncio.sleep(0.05)  # the loop is free while OCR runs
    assert time.monotonic() - started < 0.3
    with pytest.raises(ReaderBusy):
        await photos.read(label_photo())
    assert (await first).reading.label.code == CODE and (await second).photo_id


class FakeInbox:
    """Photos handed over by name; each is taken once."""

    def __init__(self, photos: dict[str, bytes]) -> None:
        self.photos = photos
        self.taken: list[tuple[str, str]] = []

    async def take(self, name: str, sha256: str) -> bytes:
        self.taken.append((name, sha256))
        return self.photos.pop(name)


async def test_a_handed_over_photo_is_taken_from_the_inbox_and_read(use_case) -> None:
    inbox = FakeInbox({"photo-1": label_photo()})
    photos = use_case(FakeReader([CODE]), inbox=inbox)
    result = await photos.read_handed_over("photo-1", "ab" * 32)
    assert result.reading.label.code == CODE
    assert inbox.taken == [("photo-1", "ab" * 32)] and inbox.photos == {}


async def test_a_refused_handed_over_photo_stores_nothing(use_case, tmp_path: Path) -> None:
    photos = use_case(FakeReader([CODE]), inbox=FakeInbox({"photo-1": b"GIF89a"}))
    with pytest.raises(PhotoRefused):
        await photos.read_handed_over("photo-1", "ab" * 32)
    assert not (tmp_path / "blobs").exists()
