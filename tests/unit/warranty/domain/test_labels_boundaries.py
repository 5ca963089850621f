"""Label decoding at its edges: the 64-character limit, every accepted separator, look-alike
repairs in both directions at the letter-or-digit positions, and what a repair reports."""

from __future__ import annotations

import string

import pytest

from services.warranty.domain import labels
from services.warranty.domain.errors import LabelCheckMismatch, LabelUnknownFormat
from services.warranty.domain.labels import CharChange
from services.warranty.domain.reference import Catalogue, Factory, Style
from tests.support.warranty.dates import TODAY

CODE = "SD-2551-VT02-00120Z"


def decode(raw: object, catalogue: Catalogue) -> labels.DecodedLabel:
    return labels.decode(raw, today=TODAY, catalogue=catalogue)


def test_64_characters_are_read_65_are_refused(catalogue):
    assert decode(CODE + " " * (64 - len(CODE)), catalogue).code == CODE
    with pytest.raises(LabelUnknownFormat) as exc:
        decode(CODE + " " * (65 - len(CODE)), catalogue)
    assert exc.value.details == {"max_length": 64}


# The nine separators of the normaliser: hyphen-minus, full stop, slash, and the six dashes
# phones and word processors substitute for a hyphen.
SEPARATORS = ["-", ".", "/", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212"]


@pytest.mark.parametrize("sep", SEPARATORS, ids=[f"U+{ord(s):04X}" for s in SEPARATORS])
def test_every_separator_is_dropped(catalogue, sep):
    result = decode(f"SD{sep}2551{sep}VT02{sep}00120Z", catalogue)
    assert result.code == CODE and not result.correction.applied


@pytest.mark.parametrize("char", ["_", "\u2015", "\u2043", "\ufe63", "+", ","])
def test_other_dash_like_characters_are_refused(catalogue, char):
    with pytest.raises(LabelUnknownFormat) as exc:
        decode(f"SD{char}2551-VT02-00120Z", catalogue)
    assert exc.value.details == {"invalid_characters": [char]}


@pytest.mark.parametrize("space", [" ", "\t", "\n", "\u00a0"])
def test_whitespace_is_dropped(catalogue, space):
    assert decode(f"{space}SD2551{space}VT0200120Z{space}", catalogue).code == CODE


SD = {"SD": Factory("SD", "US", "San Diego workshop")}


def _one_style(style: str) -> Catalogue:
    return Catalogue(factories=SD, styles={style: Style(style, style, "handbag", "black",
                                                        "4202.21", "US")})  # fmt: skip


# (read, true): a letter read where the label has a digit, and a digit read for a letter.
FORWARD = [("O", "0"), ("Q", "0"), ("D", "0"), ("I", "1"), ("L", "1"), ("Z", "2"), ("S", "5"),
           ("G", "6"), ("B", "8")]  # fmt: skip
BACKWARD = [(digit, letter) for letter, digit in FORWARD]


@pytest.mark.parametrize(("read", "true"), FORWARD + BACKWARD)
def test_lookalike_in_the_style_is_repaired_both_ways(read, true):
    # A, C and E have no look-alike: only the position under test can be repaired.
    style = f"AC{true}E"
    printed = labels.encode_gen2("SD", 2026, 1, style, 7).replace("-", "")
    typed = printed[:8] + read + printed[9:]
    result = decode(typed, _one_style(style))
    assert result.code == labels.format_code(printed) and result.style_code == style
    assert result.correction.applied
    assert result.correction.changes == (CharChange(9, "style", read, true),)
    assert result.correction.original == labels.format_code(typed)


def _code_with_check(check: str) -> str:
    for serial in range(100_000):
        body = f"SD2601VT02{serial:05d}"
        if labels.check_character(body) == check:
            return body + check
    raise AssertionError(check)


@pytest.mark.parametrize(("read", "true"), FORWARD + BACKWARD)
def test_lookalike_check_character_is_repaired_both_ways(catalogue, read, true):
    printed = _code_with_check(true)
    typed = printed[:15] + read
    result = decode(typed, catalogue)
    assert result.code == labels.format_code(printed)
    assert result.correction.changes == (CharChange(16, "check", read, true),)


def test_a_check_driven_swap_reports_its_position_among_the_fixed_repairs(catalogue):
    result = decode("sd2s5ivto2oo12o2", catalogue)
    assert result.code == CODE
    assert result.correction == labels.Correction(
        True,
        "SD-2S5I-VTO2-OO12O2",
        CODE,
        (
            CharChange(4, "year", "S", "5"),
            CharChange(6, "week", "I", "1"),
            CharChange(9, "style", "O", "0"),  # swapped because the check failed
            CharChange(11, "serial", "O", "0"),
            CharChange(12, "serial", "O", "0"),
            CharChange(15, "serial", "O", "0"),
            CharChange(16, "check", "2", "Z"),  # likewise
        ),
    )
    assert result.correction.positions == (4, 6, 9, 11, 12, 15, 16)


def test_a_repaired_six_character_code_reports_the_repair(catalogue):
    result = decode("sd-4l2g", catalogue)
    assert result.code == "SD4126" and (result.year, result.week) == (2016, 42)
    assert result.correction == labels.Correction(
        True, "SD4L2G", "SD4126",
        (CharChange(4, "year", "L", "1"), CharChange(6, "year", "G", "6")),
    )  # fmt: skip
    clean = decode("SD4126", catalogue)
    assert clean.correction == labels.Correction(False, "SD4126", "SD4126", ())


def test_six_character_week_digits_are_repaired_too(catalogue):
    result = decode("SDO1S2", catalogue)  # week 05 read as O?S, year 12
    assert result.code == "SD0152" and (result.year, result.week) == (2012, 5)
    assert result.correction.changes == (
        CharChange(3, "week", "O", "0"), CharChange(5, "week", "S", "5"),
    )  # fmt: skip


def test_first_and_last_years_of_each_generation(catalogue):
    assert decode(labels.encode_gen1("SD", 2012, 1), catalogue).year == 2012
    assert decode(labels.encode_gen1("SD", 2019, 52), catalogue).year == 2019
    assert decode(labels.encode_gen2("SD", 2020, 1, "VT01", 1), catalogue).year == 2020


def test_a_known_style_swap_is_not_made_when_the_code_is_valid_as_read():
    # Both AC0E and ACOE are known; the code printed with ACOE is valid: nothing is swapped.
    styles = {s: Style(s, s, "handbag", "black", "4202.21", "US") for s in ("AC0E", "ACOE")}
    cat = Catalogue(factories=SD, styles=styles)
    code = labels.encode_gen2("SD", 2026, 1, "ACOE", 7)
    result = decode(code, cat)
    assert result.style_code == "ACOE" and not result.correction.applied


def test_a_mismatch_names_every_position_to_recheck(catalogue):
    with pytest.raises(LabelCheckMismatch) as exc:
        decode("SD-2551-VT02-00121Z", catalogue)
    assert exc.value.details["recheck"] == [
        {"position": 9, "part": "style", "read": "0", "could_be": ["D", "O", "Q"]},
        {"position": 10, "part": "style", "read": "2", "could_be": ["Z"]},
        {"position": 16, "part": "check", "read": "Z", "could_be": ["2"]},
    ]


def test_the_lookalike_table_from_the_spec():
    # label-codes.md: letters-only 0→O, 1→I, 2→Z, 5→S, 8→B; digits-only O/Q/D→0, I/L→1, Z→2,
    # S→5, G→6, B→8; the either-positions try both directions.
    assert labels.lookalikes() == {
        "0": ("D", "O", "Q"), "O": ("0",), "Q": ("0",), "D": ("0",),
        "1": ("I", "L"), "I": ("1",), "L": ("1",),
        "2": ("Z",), "Z": ("2",), "5": ("S",), "S": ("5",),
        "6": ("G",), "G": ("6",), "8": ("B",), "B": ("8",),
    }  # fmt: skip


def test_every_ascii_letter_and_digit_is_read_in_either_case():
    every = string.ascii_letters + string.digits
    assert labels.normalize(every) == every.upper()


# FF-YYWW-SSSS-NNNNNC (label-codes.md): what each position of a 16-character code is.
GEN2_PARTS = (
    ["factory"] * 2 + ["year"] * 2 + ["week"] * 2 + ["style"] * 4 + ["serial"] * 5 + ["check"]
)
# FFwywy: factory, then week and year digits interleaved.
GEN1_PARTS = ["factory", "factory", "week", "year", "week", "year"]


@pytest.mark.parametrize("position", [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15])
def test_a_misplaced_character_names_its_position_and_part(catalogue, position):
    code = CODE.replace("-", "")
    wrong = "3" if position <= 2 else "X"  # no look-alike: nothing to repair
    with pytest.raises(LabelUnknownFormat) as exc:
        decode(code[: position - 1] + wrong + code[position:], catalogue)
    assert (exc.value.details["position"], exc.value.details["part"]) == (
        position, GEN2_PARTS[position - 1],
    )  # fmt: skip


@pytest.mark.parametrize("position", [1, 2, 3, 4, 5, 6])
def test_a_misplaced_character_in_a_six_character_code(catalogue, position):
    wrong = "3" if position <= 2 else "X"
    with pytest.raises(LabelUnknownFormat) as exc:
        decode("SD4129"[: position - 1] + wrong + "SD4129"[position:], catalogue)
    assert exc.value.details["part"] == GEN1_PARTS[position - 1]


def test_every_letter_or_digit_position_is_offered_for_rechecking(catalogue):
    # Style 0125 and check 8 all have look-alikes: a failed check lists the five, in order.
    with pytest.raises(LabelCheckMismatch) as exc:
        decode("SD-2551-0125-001208", catalogue)
    hints = exc.value.details["recheck"]
    assert [(h["position"], h["part"]) for h in hints] == [
        (7, "style"), (8, "style"), (9, "style"), (10, "style"), (16, "check"),
    ]  # fmt: skip
    assert [h["read"] for h in hints] == ["0", "1", "2", "5", "8"]


def test_a_lookalike_in_the_first_style_position_is_repaired():
    style = "0ACE"
    printed = labels.encode_gen2("SD", 2026, 1, style, 7).replace("-", "")
    result = decode(printed[:6] + "O" + printed[7:], _one_style(style))
    assert result.correction.changes == (CharChange(7, "style", "O", "0"),)
