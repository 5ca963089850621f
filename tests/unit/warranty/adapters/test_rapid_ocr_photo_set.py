"""A few photos of the generated set, read by the real OCR engine: easy photos decode, and a
photo whose code is cut off is never accepted as some other code. (The full 300-photo accuracy
run is `python -m tests.unit.warranty.photo_set 300`; figures in docs/label-photos.md.)"""

from __future__ import annotations

import pytest

from services.warranty.domain.label_reading import judge
from shared.errors import DomainError
from tests.support.warranty.dates import TODAY
from tests.support.warranty.photo_set import generate

SAMPLES = generate(10)  # 3 easy, 3 moderate, 3 hard, 1 cut; about 1 s of OCR each


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
