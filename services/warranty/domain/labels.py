"""Decoding the label codes sewn into the lining of every item.

Codes arrive read aloud, typed from photos or typed by agents, so the decoder normalises them and
repairs look-alike characters. Where a position can only hold a letter or only a digit, the repair
is certain and always applied. Where it may hold either (style code, check character), a
look-alike is only swapped when the code as read fails its ISO/IEC 7064 MOD 37-36 check, and only
if exactly one swap yields a valid check *and* a known style; anything else is an error that says
what to re-check. Nothing here reads a clock: the caller passes `today`.
"""

from __future__ import annotations

import itertools
import string
from datetime import date

from stdnum.iso7064 import mod_37_36

from .decoded_label import CharChange, Correction, DecodedLabel
from .errors import (
    LabelAmbiguousCorrection,
    LabelCheckMismatch,
    LabelFutureDate,
    LabelImpossibleDate,
    LabelUnknownFactory,
    LabelUnknownFormat,
)
from .reference import Catalogue, Factory

MAX_INPUT_LENGTH = 64
GEN2_FIRST_YEAR = 2020
GEN1_YEARS = range(2012, 2020)

# Separators people type or that phones substitute for a hyphen.
_SEPARATORS = frozenset("-./\u2010\u2011\u2012\u2013\u2014\u2212")
_ALNUM = frozenset(string.ascii_letters + string.digits)

# Where only a letter may stand, a digit is read as the letter it resembles, and vice versa.
TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B"}
TO_DIGIT = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "I": "1",
    "L": "1",
    "Z": "2",
    "S": "5",
    "G": "6",
    "B": "8",
}


def lookalikes() -> dict[str, tuple[str, ...]]:
    """Each character that has look-alikes, with them (both directions of the two tables).

    Built on each call rather than once at import, so mutation testing reaches it."""
    pairs = list(TO_LETTER.items()) + list(TO_DIGIT.items())
    table: dict[str, set[str]] = {}
    for a, b in pairs:
        table.setdefault(a, set()).add(b)
        table.setdefault(b, set()).add(a)
    return {k: tuple(sorted(v)) for k, v in table.items()}


# Position kinds: L = letter only, D = digit only, E = either.
_GEN2_KINDS = "LLDDDDEEEEDDDDDE"
_GEN1_KINDS = "LLDDDD"
_GEN2_PARTS: tuple[str, ...] = (
    ("factory",) * 2 + ("year",) * 2 + ("week",) * 2 + ("style",) * 4 + ("serial",) * 5 + ("check",)
)
_GEN1_PARTS = ("factory",) * 2 + ("week", "year", "week", "year")
_EITHER_POSITIONS = (6, 7, 8, 9, 15)


def normalize(raw: object) -> str:
    """Upper-case code without separators; rejects anything but ASCII letters and digits."""
    if not isinstance(raw, str) or len(raw) > MAX_INPUT_LENGTH:
        raise LabelUnknownFormat(
            "A label code is a short text like SD-2619-VT01-00042A or SD4129.",
            details={"max_length": MAX_INPUT_LENGTH},
        )
    kept = [c for c in raw if not (c.isspace() or c in _SEPARATORS)]
    bad = sorted({c for c in kept if c not in _ALNUM})
    if bad:
        raise LabelUnknownFormat(
            "The label code contains characters that never appear on a label.",
            details={"invalid_characters": bad},
        )
    return "".join(kept).upper()


def format_code(compact: str) -> str:
    if len(compact) == len(_GEN2_KINDS):
        return f"{compact[0:2]}-{compact[2:6]}-{compact[6:10]}-{compact[10:16]}"
    return compact


def weeks_in_iso_year(year: int) -> int:
    return date(year, 12, 28).isocalendar().week


def check_character(body: str) -> str:
    """MOD 37-36 check character over the 15 characters of a generation-2 code body."""
    return mod_37_36.calc_check_digit(body)


def encode_gen2(factory: str, year: int, week: int, style: str, serial: int) -> str:
    body = f"{factory}{year % 100:02d}{week:02d}{style}{serial:05d}"
    return format_code(body + check_character(body))


def encode_gen1(factory: str, year: int, week: int) -> str:
    w, y = f"{week:02d}", f"{year % 100:02d}"
    return f"{factory}{w[0]}{y[0]}{w[1]}{y[1]}"


def decode(raw: object, *, today: date, catalogue: Catalogue) -> DecodedLabel:
    """Decode a label code as read by a person; raises a `LabelError` subclass on failure."""
    compact = normalize(raw)
    if len(compact) == len(_GEN2_KINDS):
        return _decode_gen2(compact, today, catalogue)
    if len(compact) == len(_GEN1_KINDS):
        return _decode_gen1(compact, today, catalogue)
    raise LabelUnknownFormat(
        "A label code has 16 characters (FF-YYWW-SSSS-NNNNNC) or 6 (FFwywy).",
        details={"length": len(compact), "expected_lengths": [16, 6]},
    )


def _repair_fixed(compact: str, kinds: str, parts: tuple[str, ...]) -> tuple[str, list[CharChange]]:
    chars, changes = list(compact), []
    for i, (c, kind) in enumerate(zip(compact, kinds, strict=True)):
        if kind == "L" and c.isdigit():
            fixed, expected = TO_LETTER.get(c), "letter"
        elif kind == "D" and c.isalpha():
            fixed, expected = TO_DIGIT.get(c), "digit"
        else:
            continue
        if fixed is None:
            raise LabelUnknownFormat(
                f"Position {i + 1} ({parts[i]}) must be a {expected}.",
                details={"position": i + 1, "part": parts[i], "expected": expected, "read": c},
            )
        chars[i] = fixed
        changes.append(CharChange(i + 1, parts[i], c, fixed))
    return "".join(chars), changes


def _factory(code: str, catalogue: Catalogue) -> Factory:
    factory = catalogue.factory(code)
    if factory is None:
        raise LabelUnknownFactory(
            f"No factory has the code {code}.",
            details={"factory": code, "known": sorted(catalogue.factories)},
        )
    return factory


def _week_monday(year: int, week: int, today: date) -> date:
    if not 1 <= week <= weeks_in_iso_year(year):
        raise LabelImpossibleDate(
            f"Week {week:02d} does not exist in {year}.",
            details={"year": year, "week": week, "weeks_in_year": weeks_in_iso_year(year)},
        )
    monday = date.fromisocalendar(year, week, 1)
    if monday > today:
        raise LabelFutureDate(
            "The label gives a manufacture date in the future.",
            details={"year": year, "week": week, "manufacture_date": monday.isoformat()},
        )
    return monday


def _decode_gen1(compact: str, today: date, catalogue: Catalogue) -> DecodedLabel:
    fixed, changes = _repair_fixed(compact, _GEN1_KINDS, _GEN1_PARTS)
    factory = _factory(fixed[0:2], catalogue)
    week, year = int(fixed[2] + fixed[4]), 2000 + int(fixed[3] + fixed[5])
    if year not in GEN1_YEARS:
        raise LabelImpossibleDate(
            "Six-character labels were made from 2012 to 2019.",
            details={"year": year, "week": week, "generation": 1},
        )
    monday = _week_monday(year, week, today)
    correction = Correction(bool(changes), compact, fixed, tuple(changes))
    return DecodedLabel(1, fixed, factory, year, week, monday, None, None, None, correction)


def _decode_gen2(compact: str, today: date, catalogue: Catalogue) -> DecodedLabel:
    fixed, changes = _repair_fixed(compact, _GEN2_KINDS, _GEN2_PARTS)
    factory = _factory(fixed[0:2], catalogue)
    year, week = 2000 + int(fixed[2:4]), int(fixed[4:6])
    if year < GEN2_FIRST_YEAR:
        raise LabelImpossibleDate(
            "Sixteen-character labels were introduced in 2020.",
            details={"year": year, "week": week, "generation": 2},
        )
    monday = _week_monday(year, week, today)
    if not mod_37_36.is_valid(fixed):
        fixed, changes = _correct_either_positions(compact, fixed, changes, catalogue)
    style = fixed[6:10]
    correction = Correction(
        bool(changes), format_code(compact), format_code(fixed), tuple(sorted(changes, key=_pos))
    )
    return DecodedLabel(
        generation=2,
        code=format_code(fixed),
        factory=factory,
        year=year,
        week=week,
        manufacture_date=monday,
        style_code=style,
        product=catalogue.style(style),
        serial=fixed[10:15],
        correction=correction,
    )


def _pos(change: CharChange) -> int:
    return change.position


def _candidates(fixed: str, catalogue: Catalogue) -> list[str]:
    table = lookalikes()
    options = [(fixed[i], *table.get(fixed[i], ())) for i in _EITHER_POSITIONS]
    found = []
    for combo in itertools.product(*options):
        chars = list(fixed)
        for i, c in zip(_EITHER_POSITIONS, combo, strict=True):
            chars[i] = c
        candidate = "".join(chars)
        if candidate == fixed or not catalogue.is_known_style(candidate[6:10]):
            continue
        if mod_37_36.is_valid(candidate):
            found.append(candidate)
    return found


def _correct_either_positions(
    compact: str, fixed: str, changes: list[CharChange], catalogue: Catalogue
) -> tuple[str, list[CharChange]]:
    found = _candidates(fixed, catalogue)
    if not found:
        raise LabelCheckMismatch(
            "The check character does not match: please re-read the whole code.",
            details={"code": format_code(fixed), "recheck": _recheck_hint(fixed)},
        )
    if len(found) > 1:
        raise LabelAmbiguousCorrection(
            "Several look-alike readings are valid: please re-check the marked characters.",
            details={
                "code": format_code(fixed),
                "candidates": [format_code(c) for c in found],
                "positions": sorted({i + 1 for c in found for i in _diff(fixed, c)}),
            },
        )
    chosen = found[0]
    extra = [CharChange(i + 1, _GEN2_PARTS[i], fixed[i], chosen[i]) for i in _diff(fixed, chosen)]
    return chosen, changes + extra


def _diff(a: str, b: str) -> list[int]:
    return [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


def _recheck_hint(fixed: str) -> list[dict[str, object]]:
    """Characters in letter-or-digit positions that a reader may have confused."""
    table = lookalikes()
    return [
        {"position": i + 1, "part": _GEN2_PARTS[i], "read": fixed[i], "could_be": list(alts)}
        for i in _EITHER_POSITIONS
        if (alts := table.get(fixed[i]))
    ]
