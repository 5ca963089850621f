"""The limits docs/analytics.md publishes for a volumes file: at most 5,000 rows, units from 1 to
10,000,000, a header required (row 1), and where each file-level error points."""

from __future__ import annotations

import pytest

from services.warranty.domain.volumes import VolumesRejected, parse_volumes

FACTORIES, STYLES = {"SD", "NJ"}, {"VT01", "VT02"}
HEADER = "factory,iso_week,style,units\n"


def errors_of(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(VolumesRejected) as caught:
        parse_volumes(text, factories=FACTORIES, styles=STYLES)
    return [(e.row, e.column, e.code) for e in caught.value.errors]


def _rows(count: int) -> str:
    keys = [(f, y, w, s) for y in range(2001, 2030) for w in range(1, 53)
            for f in ("SD", "NJ") for s in ("VT01", "VT02")]  # fmt: skip
    return "".join(f"{f},{y}-W{w:02d},{s},10\n" for f, y, w, s in keys[:count])


def test_five_thousand_rows_are_accepted_and_one_more_is_refused_where_it_starts() -> None:
    volumes = parse_volumes(HEADER + _rows(5000), factories=FACTORIES, styles=STYLES)
    assert len(volumes) == 5000
    assert errors_of(HEADER + _rows(5001)) == [(5002, None, "too_many_rows")]


def test_units_up_to_ten_million() -> None:
    volumes = parse_volumes(HEADER + "SD,2026-W07,VT02,10000000\n", factories=FACTORIES,
                            styles=STYLES)  # fmt: skip
    assert volumes[0].units == 10_000_000
    assert errors_of(HEADER + "SD,2026-W07,VT02,10000001\n") == [(2, "units", "invalid_units")]


def test_file_level_errors_point_at_the_header_or_the_first_data_row() -> None:
    assert errors_of("factory,week,style,units\nSD,2026-W07,VT02,5\n") == [
        (1, None, "invalid_header")
    ]
    assert errors_of(HEADER) == [(2, None, "no_rows")]


def test_a_short_row_does_not_stop_the_rows_after_it_being_checked() -> None:
    text = HEADER + "SD,2026-W07\nXX,2026-W07,VT02,5\n"
    assert errors_of(text) == [(2, None, "wrong_column_count"), (3, "factory", "unknown_factory")]
