"""Judging OCR text: only a code whose check character holds is accepted."""

from __future__ import annotations

import pytest

from services.warranty.domain.label_reading import (
    LabelAmbiguous,
    LabelUnreadable,
    TextLine,
    judge,
)
from services.warranty.domain.labels import encode_gen2
from tests.support.warranty.dates import TODAY

GOOD = encode_gen2("SD", 2025, 51, "VT02", 120)
OTHER = encode_gen2("NJ", 2026, 7, "VT01", 42)


def lines(*texts: str) -> list[TextLine]:
    return [TextLine(t, 0.9) for t in texts]


def test_the_code_among_other_text_is_found(catalogue) -> None:
    reading = judge(lines("MADE IN USA", GOOD, "100% leather"), today=TODAY, catalogue=catalogue)
    assert reading.label.code == GOOD and reading.raw_text == GOOD


def test_look_alikes_are_repaired_by_the_label_rules(catalogue) -> None:
    misread = GOOD.replace("0", "O", 1)  # SD-2551-VT02-O0120? -> the rules repair the O
    assert judge(lines(misread), today=TODAY, catalogue=catalogue).label.code == GOOD


def test_a_code_printed_over_two_lines_is_joined(catalogue) -> None:
    reading = judge(lines(GOOD[:7], GOOD[7:]), today=TODAY, catalogue=catalogue)
    assert reading.label.code == GOOD


def test_a_failing_check_character_is_never_accepted(catalogue) -> None:
    wrong = GOOD[:-1] + ("A" if GOOD[-1] != "A" else "B")
    with pytest.raises(LabelUnreadable) as caught:
        judge(lines(wrong), today=TODAY, catalogue=catalogue)
    assert caught.value.details["read"] == [wrong]
    # What to re-check: the letter-or-digit positions a reader may have confused.
    assert caught.value.details["code"] == wrong
    recheck = caught.value.details["recheck"]
    assert recheck and all({"position", "part", "read", "could_be"} <= set(r) for r in recheck)


def test_first_generation_codes_are_not_taken_from_photos(catalogue) -> None:
    with pytest.raises(LabelUnreadable):
        judge(lines("SD4129"), today=TODAY, catalogue=catalogue)


def test_two_valid_codes_are_ambiguous(catalogue) -> None:
    with pytest.raises(LabelAmbiguous) as caught:
        judge(lines(GOOD, OTHER), today=TODAY, catalogue=catalogue)
    assert caught.value.details["codes"] == sorted([GOOD, OTHER])


def test_nothing_read_is_unreadable(catalogue) -> None:
    with pytest.raises(LabelUnreadable):
        judge([], today=TODAY, catalogue=catalogue)
