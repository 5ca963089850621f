"""Label photos: refusals (not an image, too big, decompression bombs), metadata stripping, and
the RapidOCR reader on a label rendered with Pillow (offline: the models are in the wheel)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from services.warranty.adapters.blob_store import LocalFolderBlobStore
from services.warranty.adapters.photos import MAX_PIXELS, PhotoRefused, clean_photo
from services.warranty.domain.label_reading import judge
from tests.support.warranty.dates import TODAY
from tests.support.warranty.label_fixtures import CODE, label_photo


def test_metadata_is_stripped_and_pixels_kept() -> None:
    original = label_photo(exif=True)
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really has EXIF and GPS
    clean = clean_photo(original)
    again = Image.open(io.BytesIO(clean.data))
    assert not again.getexif() and "exif" not in again.info
    assert clean.content_type == "image/jpeg" and (clean.width, clean.height) == again.size


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(fmt: str) -> None:
    assert clean_photo(label_photo(fmt=fmt)).content_type == f"image/{fmt.lower()}"


def test_not_an_image_is_refused() -> None:
    with pytest.raises(PhotoRefused) as caught:
        clean_photo(b"%PDF-1.7 not a photo")
    assert caught.value.code == "photo_not_an_image"


def test_a_photo_too_small_to_show_a_code_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (400, 20), (255, 255, 255)).save(out, "PNG")
    with pytest.raises(PhotoRefused) as caught:
        clean_photo(out.getvalue())
    assert caught.value.code == "photo_too_small"


def test_a_gif_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(PhotoRefused):
        clean_photo(out.getvalue())


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    """A tiny PNG claiming 9,000 x 9,000 pixels (81 MP): refused from its header."""
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")
    assert len(out.getvalue()) < 100_000 and 9000 * 9000 > MAX_PIXELS
    with pytest.raises(PhotoRefused) as caught:
        clean_photo(out.getvalue())
    assert caught.value.code == "photo_too_large"


def test_a_file_over_8_mb_is_refused() -> None:
    with pytest.raises(PhotoRefused) as caught:
        clean_photo(b"\xff\xd8" + bytes(8 * 1024 * 1024))
    assert caught.value.code == "photo_too_large"


async def test_the_local_blob_store_keeps_what_it_is_given(tmp_path: Path) -> None:
    store = LocalFolderBlobStore(tmp_path / "blobs")
    await store.put("photo-1.jpg", b"pixels", "image/jpeg")
    assert await store.get("photo-1.jpg") == b"pixels"
    assert await store.get("photo-2.jpg") is None
    with pytest.raises(ValueError):
        await store.put("../escape", b"x", "image/jpeg")


def test_rapidocr_reads_a_rendered_label_offline(catalogue) -> None:
    from services.warranty.adapters.rapid_ocr import RapidOcrReader

    lines = RapidOcrReader().read(clean_photo(label_photo()).data)
    assert judge(lines, today=TODAY, catalogue=catalogue).label.code == CODE
