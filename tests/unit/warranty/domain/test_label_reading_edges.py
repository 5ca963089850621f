"""Edges of reading a label from a photo (docs/label-photos.md): what each refusal tells the
client, the likeliest near miss chosen by the engine's confidence, a joined pair of lines
carrying the lower confidence, and a reading that repairs to more than one code."""

from __future__ import annotations

import pytest

from services.warranty.domain import labels
from services.warranty.domain.errors import LabelError
from services.warranty.domain.label_reading import (
    LabelAmbiguous,
    LabelUnreadable,
    TextLine,
    candidates,
    judge,
)
from services.warranty.domain.labels import encode_gen2
from tests.support.warranty.dates import TODAY
from tests.support.warranty.label_fixtures import ambiguous_catalogue

GOOD = encode_gen2("SD", 2025, 51, "VT02", 120)
OTHER = encode_gen2("NJ", 2026, 7, "VT01", 42)


def _wrong_check(code: str) -> str:
    return code[:-1] + ("A" if code[-1] != "A" else "B")


def test_a_pair_of_lines_keeps_the_lower_confidence() -> None:
    joined = candidates([TextLine("SD-2551-", 0.9), TextLine("VT02-00120Z", 0.6)])
    assert joined[-1] == TextLine("SD-2551-VT02-00120Z", 0.6)


def test_the_likeliest_near_miss_says_what_to_recheck(catalogue) -> None:
    low, high = _wrong_check(GOOD), _wrong_check(OTHER)
    with pytest.raises(LabelUnreadable) as caught:
        judge([TextLine(low, 0.3), TextLine("-", 0.1), TextLine(high, 0.8)], today=TODAY,
              catalogue=catalogue)  # fmt: skip
    assert caught.value.details["code"] == high
    assert str(caught.value) == (
        "No label code with a valid check character could be read; retake the photo or "
        "type the code."
    )
    with pytest.raises(LabelUnreadable) as nothing:
        judge([TextLine("hello", 0.9)], today=TODAY, catalogue=catalogue)
    assert nothing.value.details == {"read": ["hello"]}


def test_two_codes_in_one_photo_are_refused_with_both(catalogue) -> None:
    with pytest.raises(LabelAmbiguous) as caught:
        judge([TextLine(GOOD, 0.9), TextLine(OTHER, 0.9)], today=TODAY, catalogue=catalogue)
    assert str(caught.value) == "The photo shows more than one valid code."
    assert caught.value.details == {"read": [GOOD, OTHER], "codes": sorted([GOOD, OTHER])}


def _ambiguous_reading() -> tuple[str, dict]:
    cat = ambiguous_catalogue()
    for serial in range(2000):
        for read in ("AS1I", "A5I1"):
            for check in labels.lookalikes():
                code = f"SD2501{read}{serial:05d}{check}"
                try:
                    labels.decode(code, today=TODAY, catalogue=cat)
                except LabelError as exc:
                    if exc.code == "label_ambiguous_correction":
                        return code, dict(exc.details)
    raise AssertionError("no ambiguous reading found")


def test_a_reading_that_repairs_to_more_than_one_code_is_ambiguous() -> None:
    code, details = _ambiguous_reading()
    with pytest.raises(LabelAmbiguous) as caught:
        judge([TextLine(code, 0.9)], today=TODAY, catalogue=ambiguous_catalogue())
    assert caught.value.code == "label_ambiguous"
    assert str(caught.value) == "The photo reads as more than one valid code."
    assert caught.value.details == {"read": code, **details}


def test_a_reading_reports_its_confidence_and_every_candidate_tried(catalogue) -> None:
    reading = judge([TextLine("LEATHER", 0.95), TextLine(GOOD, 0.7)], today=TODAY,
                    catalogue=catalogue)  # fmt: skip
    assert (reading.label.code, reading.raw_text, reading.confidence) == (GOOD, GOOD, 0.7)
    assert reading.candidates == ("LEATHER", GOOD, "LEATHER" + GOOD)
