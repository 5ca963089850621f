"""A few photos of the generated set, read by the real OCR engine: easy photos decode, and a
photo whose code is cut off is never accepted as some other code. (The full 300-photo accuracy
run is `python -m bench.photo_ocr 300`; figures in docs/label-photos.md.)"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from services.warranty.domain.label_reading import judge
from shared.errors import DomainError
from tests.support.warranty.dates import TODAY
from tests.support.warranty.photo_set import generate

SAMPLES = generate(10)  # 3 easy, 3 moderate, 3 hard, 1 cut; about 0.06 s of CPU each


@pytest.fixture(scope="module")
def reader():  # type: ignore[no-untyped-def]
    from services.warranty.adapters.rapid_ocr import RapidOcrReader

    return RapidOcrReader()


def read(reader, catalogue, photo: bytes) -> str | None:  # type: ignore[no-untyped-def]
    try:
        return judge(reader.read(photo), today=TODAY, catalogue=catalogue).label.code
    except DomainError:
        return None


def test_easy_photos_decode(reader, catalogue) -> None:  # type: ignore[no-untyped-def]
    easy = [s for s in SAMPLES if s.tier == "easy"][:2]
    assert [read(reader, catalogue, s.photo) for s in easy] == [s.code for s in easy]


def test_cut_codes_are_never_accepted(reader, catalogue) -> None:  # type: ignore[no-untyped-def]
    for sample in [s for s in SAMPLES if s.tier == "cut"]:
        assert read(reader, catalogue, sample.photo) is None


def test_detection_works_on_a_bounded_side_and_never_enlarges(reader) -> None:  # type: ignore[no-untyped-def]
    from services.warranty.adapters.rapid_ocr import DETECT_SIDE

    det = reader._get_engine().text_det
    for shape, expected in [((3000, 4000, 3), (960, DETECT_SIDE)), ((146, 473, 3), (160, 480))]:
        pixels = np.zeros(shape, dtype=np.uint8)
        assert det.get_preprocess(max(shape[:2])).resize(pixels).shape[:2] == expected


def test_a_small_label_in_a_large_photo_is_read(reader, catalogue) -> None:  # type: ignore[no-untyped-def]
    sample = next(s for s in SAMPLES if s.tier == "moderate")
    photo = Image.new("RGB", (4000, 3000), (120, 110, 100))
    photo.paste(Image.open(io.BytesIO(sample.photo)), (2300, 1700))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    assert read(reader, catalogue, out.getvalue()) == sample.code
