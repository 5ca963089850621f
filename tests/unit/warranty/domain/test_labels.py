"""Decoding label codes: both generations, look-alike repairs, and the errors that say what to re-check."""

from __future__ import annotations

from datetime import date

import pytest

from services.warranty.domain import labels
from services.warranty.domain.errors import (
    LabelAmbiguousCorrection,
    LabelCheckMismatch,
    LabelError,
    LabelFutureDate,
    LabelImpossibleDate,
    LabelUnknownFactory,
    LabelUnknownFormat,
)
from services.warranty.domain.reference import Catalogue, Factory
from tests.support.warranty.dates import TODAY
from tests.support.warranty.label_fixtures import ambiguous_catalogue


def decode(raw: object, catalogue: Catalogue, today: date = TODAY) -> labels.DecodedLabel:
    return labels.decode(raw, today=today, catalogue=catalogue)


@pytest.mark.parametrize(
    ("code", "factory", "country", "monday", "style"),
    [
        ("SD-2619-VT01-00042A", "SD", "US", date(2026, 5, 4), "VT01"),
        ("FI-2412-VT01-00913N", "FI", "IT", date(2024, 3, 18), "VT01"),
        ("SD-2551-VT02-00120Z", "SD", "US", date(2025, 12, 15), "VT02"),
    ],
)
def test_worked_examples_from_the_spec(catalogue, code, factory, country, monday, style):
    result = decode(code, catalogue)
    assert result.generation == 2
    assert result.code == code
    assert (result.factory.code, result.factory.country) == (factory, country)
    assert result.manufacture_date == monday
    assert result.manufacture_date.weekday() == 0
    assert result.style_code == style
    assert result.product is not None and result.product.category == "handbag"
    assert not result.correction.applied


def test_check_characters_come_from_stdnum():
    assert labels.check_character("SD2619VT0100042") == "A"
    assert labels.check_character("FI2412VT0100913") == "N"
    assert labels.check_character("SD2551VT0200120") == "Z"
    assert labels.encode_gen2("SD", 2025, 51, "VT02", 120) == "SD-2551-VT02-00120Z"


def test_gen2_fields(catalogue):
    result = decode("SD-2619-VT01-00042A", catalogue)
    assert (result.year, result.week, result.serial) == (2026, 19, "00042")
    assert result.factory.name == "San Diego workshop"


@pytest.mark.parametrize(
    "raw",
    ["sd-2551-vt02-00120z", "SD 2551 VT02 00120 Z", "SD.2551.VT02.00120Z", "SD/2551/VT02/00120Z",
     "  SD2551VT0200120Z  ", "SD\u20132551\u2013VT02\u201300120Z", "S-D-2-5-5-1-VT02-00120Z"],
)  # fmt: skip
def test_normalisation_ignores_case_and_separators(catalogue, raw):
    result = decode(raw, catalogue)
    assert result.code == "SD-2551-VT02-00120Z"
    assert not result.correction.applied


def test_letter_and_digit_positions_are_always_repaired_and_reported(catalogue):
    # 5→S in the factory; S→5, Z→2... in digit positions; O→0 and B→8 in the serial.
    result = decode("5D-2SS1-VT02-OO12OZ", catalogue)
    assert result.code == "SD-2551-VT02-00120Z"
    assert result.correction.applied
    assert result.correction.original == "5D-2SS1-VT02-OO12OZ"
    assert result.correction.corrected == "SD-2551-VT02-00120Z"
    assert result.correction.positions == (1, 4, 5, 11, 12, 15)
    assert {c.part for c in result.correction.changes} == {"factory", "year", "week", "serial"}


@pytest.mark.parametrize(
    ("raw", "digit"),
    [("O", "0"), ("Q", "0"), ("D", "0"), ("I", "1"), ("L", "1"), ("Z", "2"), ("S", "5"),
     ("G", "6"), ("B", "8")],
)  # fmt: skip
def test_every_digit_lookalike(catalogue, raw, digit):
    code = labels.encode_gen2("SD", 2026, 1, "VT01", int(f"1{digit}")).replace("-", "")
    typed = code[:14] + raw + code[15:]
    assert decode(typed, catalogue).code == labels.format_code(code)


@pytest.mark.parametrize(
    ("raw", "letter"), [("0", "O"), ("1", "I"), ("2", "Z"), ("5", "S"), ("8", "B")]
)
def test_every_letter_lookalike(raw, letter):
    factory = f"{letter}{letter}"
    cat = Catalogue(factories={factory: Factory(factory, "US", "test")}, styles={})
    code = labels.encode_gen2(factory, 2026, 1, "AAAA", 1)
    result = labels.decode(raw + code[1:], today=TODAY, catalogue=cat)
    assert result.code == code and result.correction.positions == (1,)


def test_style_lookalike_is_repaired_only_when_check_fails(catalogue):
    result = decode("SD-2551-VTO2-00120Z", catalogue)  # letter O typed for zero in the style
    assert result.code == "SD-2551-VT02-00120Z"
    assert result.correction.applied
    assert result.correction.changes[0].part == "style"
    assert result.correction.original == "SD-2551-VTO2-00120Z"


def test_valid_code_with_unknown_lookalike_style_is_left_alone(catalogue):
    code = labels.encode_gen2("SD", 2025, 51, "VTO2", 120)  # a valid code of an unlisted style
    result = decode(code, catalogue)
    assert result.code == code and result.product is None and not result.correction.applied


def test_check_character_lookalike_is_repaired(catalogue):
    result = decode("SD-2551-VT02-001202", catalogue)  # Z read as 2
    assert result.code == "SD-2551-VT02-00120Z"
    assert result.correction.changes[0].part == "check"


def test_repair_in_both_kinds_of_position(catalogue):
    result = decode("sd2s5ivto2oo12o2", catalogue)
    assert result.code == "SD-2551-VT02-00120Z"
    assert result.correction.original == "SD-2S5I-VTO2-OO12O2"


def test_gen1_decodes_interleaved_week_and_year(catalogue):
    result = decode("SD4129", catalogue)
    assert result.generation == 1
    assert (result.year, result.week) == (2019, 42)
    assert result.manufacture_date == date(2019, 10, 14)
    assert result.style_code is None and result.product is None and result.serial is None


def test_gen1_lookalikes(catalogue):
    result = decode("sd-4l2g", catalogue)  # L→1, G→6 in digit positions
    assert result.code == "SD4126" and result.correction.positions == (4, 6)


def test_gen1_week_53_exists_in_2015(catalogue):
    assert decode(labels.encode_gen1("FI", 2015, 53), catalogue).manufacture_date == date(
        2015, 12, 28
    )


# --- every rejected input has its error code --------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "SD-2551-VT02-00120", "SD-2551-VT02-00120ZZ", "SD412", "SD41299",
     "SD-2551-VT02-00120Z!", "SD_2551_VT02_00120Z", "ŞD-2551-VT02-00120Z", "ßD4129",
     "S3-2551-VT02-00120Z", "SD-2X51-VT02-00120Z", "SD-2551-VT02-0012XZ", "S94129", "SDX129",
     None, 42, "A" * 65],
)  # fmt: skip
def test_unknown_format(catalogue, raw):
    with pytest.raises(LabelUnknownFormat) as exc:
        decode(raw, catalogue)
    assert exc.value.code == "label_unknown_format"


def test_unknown_format_points_at_the_position(catalogue):
    with pytest.raises(LabelUnknownFormat) as exc:
        decode("SD-2X51-VT02-00120Z", catalogue)
    assert exc.value.details["position"] == 4 and exc.value.details["expected"] == "digit"


@pytest.mark.parametrize("raw", ["XX-2551-VT02-00120Z", "QQ4129"])
def test_unknown_factory(catalogue, raw):
    with pytest.raises(LabelUnknownFactory) as exc:
        decode(raw, catalogue)
    assert exc.value.code == "label_unknown_factory"


@pytest.mark.parametrize(
    "raw",
    [
        labels.encode_gen2("SD", 2025, 53, "VT01", 1),  # 2025 has 52 ISO weeks
        labels.encode_gen2("SD", 2025, 0, "VT01", 1),
        labels.encode_gen2("SD", 2024, 60, "VT01", 1),
        labels.encode_gen2("SD", 2019, 10, "VT01", 1),  # generation 2 started in 2020
        labels.encode_gen1("SD", 2019, 53),  # 2019 has 52 ISO weeks
        labels.encode_gen1("SD", 2011, 10),  # generation 1 covers 2012-2019 only
        labels.encode_gen1("SD", 2020, 10),
        labels.encode_gen1("SD", 2015, 0),
    ],
)
def test_impossible_date(catalogue, raw):
    with pytest.raises(LabelImpossibleDate) as exc:
        decode(raw, catalogue)
    assert exc.value.code == "label_impossible_date"


def test_week_53_accepted_where_it_exists(catalogue):
    code = labels.encode_gen2("SD", 2020, 53, "VT01", 7)
    assert decode(code, catalogue).manufacture_date == date(2020, 12, 28)


@pytest.mark.parametrize(
    "raw",
    [labels.encode_gen2("SD", 2026, 49, "VT01", 1), labels.encode_gen2("SD", 2031, 1, "VT01", 1)],
)
def test_future_date(catalogue, raw):
    with pytest.raises(LabelFutureDate) as exc:
        decode(raw, catalogue)
    assert exc.value.code == "label_future_date"


def test_the_current_week_is_not_the_future(catalogue):
    code = labels.encode_gen2("SD", 2026, 48, "VT01", 1)  # week 48 of 2026 starts on TODAY
    assert decode(code, catalogue).manufacture_date == TODAY
    with pytest.raises(LabelFutureDate):
        decode(code, catalogue, today=date(2026, 11, 22))


def test_gen1_future_relative_to_today(catalogue):
    with pytest.raises(LabelFutureDate):
        decode("SD4129", catalogue, today=date(2019, 1, 1))


@pytest.mark.parametrize(
    "raw", ["SD-2551-VT02-00121Z", "SD-2551-VT02-00120A", "SD-2515-VT02-00120Z"]
)
def test_check_mismatch(catalogue, raw):
    with pytest.raises(LabelCheckMismatch) as exc:
        decode(raw, catalogue)
    assert exc.value.code == "label_check_mismatch"
    assert exc.value.details["code"] == labels.format_code(labels.normalize(raw))


def test_check_mismatch_lists_lookalike_positions_to_recheck(catalogue):
    with pytest.raises(LabelCheckMismatch) as exc:
        decode("SD-2551-VT02-00121Z", catalogue)
    recheck = exc.value.details["recheck"]
    assert {r["position"] for r in recheck} == {9, 10, 16}  # 0, 2 and Z may be look-alikes


def test_ambiguous_correction_lists_candidates():
    cat = ambiguous_catalogue()
    for serial in range(2000):
        for read in ("AS1I", "A5I1"):
            body = f"SD2501{read}{serial:05d}"
            for check in labels.lookalikes():
                code = body + check
                try:
                    labels.decode(code, today=TODAY, catalogue=cat)
                except LabelAmbiguousCorrection as exc:
                    assert exc.code == "label_ambiguous_correction"
                    assert len(exc.details["candidates"]) >= 2
                    assert exc.details["positions"]
                    return
                except LabelError:
                    continue
    pytest.fail("no ambiguous reading found")


def test_errors_are_domain_errors_with_stable_codes(catalogue):
    with pytest.raises(LabelError) as exc:
        decode("nope", catalogue)
    payload = exc.value.to_dict()
    assert payload["code"] == "label_unknown_format" and payload["kind"] == "invalid"
