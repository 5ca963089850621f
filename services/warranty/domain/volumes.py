"""Production volumes uploaded by an operator as CSV: one row per (factory, ISO week, style).

Parsing is all or nothing: every bad row is reported (row number, column, code) and no row is
kept when any is bad, so a half-corrected file can never change the figures.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import date

from services.warranty.domain.batches import BatchKey
from shared.errors import DomainError, ErrorKind

COLUMNS = ("factory", "iso_week", "style", "units")
MAX_ROWS = 5000
MAX_UNITS = 10_000_000
MAX_ERRORS_SHOWN = 100  # a wholly wrong file must not produce a megabyte of errors
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class RowError:
    row: int  # 1 = the header line, data starts at 2 (as a spreadsheet numbers them)
    column: str | None
    code: str


@dataclass(frozen=True)
class Volume:
    batch: BatchKey
    units: int


class VolumesRejected(DomainError):
    """The file is refused as a whole; `errors` (and the details) say where and why."""

    code = "volumes_invalid"
    kind = ErrorKind.INVALID

    def __init__(self, errors: list[RowError]) -> None:
        shown = errors[:MAX_ERRORS_SHOWN]
        super().__init__(
            f"{len(errors)} error(s) in the volumes file; nothing was stored.",
            details={"error_count": len(errors), "errors": [asdict(e) for e in shown]},
        )
        self.errors = errors


def parse_iso_week(value: str) -> tuple[int, int] | None:
    """`2025-W07` -> (2025, 7); None unless the week exists in that ISO year."""
    match = _ISO_WEEK.match(value.strip())
    if not match:
        return None
    year, week = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return year, week


def _parse_row(
    number: int, row: dict[str, str], factories: Collection[str], styles: Collection[str]
) -> tuple[Volume | None, list[RowError]]:
    errors: list[RowError] = []
    factory = (row.get("factory") or "").strip().upper()
    style = (row.get("style") or "").strip().upper()
    week = parse_iso_week(row.get("iso_week") or "")
    units_text = (row.get("units") or "").strip()
    if factory not in factories:
        errors.append(RowError(number, "factory", "unknown_factory"))
    if week is None:
        errors.append(RowError(number, "iso_week", "invalid_iso_week"))
    if style not in styles:
        errors.append(RowError(number, "style", "unknown_style"))
    units = int(units_text) if units_text.isdigit() else -1
    if not 0 < units <= MAX_UNITS:
        errors.append(RowError(number, "units", "invalid_units"))
    if errors or week is None:
        return None, errors
    return Volume(BatchKey(factory, week[0], week[1], style), units), []


def parse_volumes(
    text: str, *, factories: Collection[str], styles: Collection[str]
) -> list[Volume]:
    """Every row, validated; raises VolumesRejected listing each problem."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if sorted(header) != sorted(COLUMNS):
        raise VolumesRejected([RowError(1, None, "invalid_header")])
    reader.fieldnames = header
    volumes: list[Volume] = []
    errors: list[RowError] = []
    seen: set[BatchKey] = set()
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise VolumesRejected([RowError(number, None, "too_many_rows")])
        if None in row or any(v is None for v in row.values()):
            errors.append(RowError(number, None, "wrong_column_count"))
            continue
        volume, row_errors = _parse_row(number, row, factories, styles)
        errors += row_errors
        if volume is not None:
            if volume.batch in seen:
                errors.append(RowError(number, None, "duplicate_batch"))
            seen.add(volume.batch)
            volumes.append(volume)
    if errors:
        raise VolumesRejected(errors)
    if not volumes:
        raise VolumesRejected([RowError(2, None, "no_rows")])
    return volumes
