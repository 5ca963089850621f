"""Production volumes CSV: every bad row reported with row, column and code; all or nothing."""

from __future__ import annotations

import pytest

from services.warranty.domain.batches import BatchKey
from services.warranty.domain.volumes import MAX_ROWS, VolumesRejected, parse_volumes

FACTORIES, STYLES = {"SD", "NJ"}, {"VT01", "VT02"}


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_volumes(text, factories=FACTORIES, styles=STYLES)


def errors_of(text: str) -> list[tuple[int, str | None, str]]:
    with pytest.raises(VolumesRejected) as caught:
        parse(text)
    assert caught.value.code == "volumes_invalid"
    return [(e.row, e.column, e.code) for e in caught.value.errors]


def test_a_good_file_parses_with_any_column_order_and_case() -> None:
    volumes = parse("style,units,FACTORY,iso_week\nvt02,1200,sd,2026-W07\nVT01,5,NJ,2026-W53\n")
    assert [(v.batch, v.units) for v in volumes] == [
        (BatchKey("SD", 2026, 7, "VT02"), 1200),
        (BatchKey("NJ", 2026, 53, "VT01"), 5),
    ]


def test_each_bad_cell_is_reported_with_its_row_and_column() -> None:
    text = (
        "factory,iso_week,style,units\n"
        "SD,2026-W07,VT02,100\n"
        "XX,2026-W54,ZZ99,-3\n"  # 2026 has 53 ISO weeks: W54 does not exist
        "NJ,2026-W8,VT01,1.5\n"
        "SD,2026-W07,VT02,100\n"
        "SD,2026-W09\n"
    )
    assert errors_of(text) == [
        (3, "factory", "unknown_factory"),
        (3, "iso_week", "invalid_iso_week"),
        (3, "style", "unknown_style"),
        (3, "units", "invalid_units"),
        (4, "iso_week", "invalid_iso_week"),
        (4, "units", "invalid_units"),
        (5, None, "duplicate_batch"),
        (6, None, "wrong_column_count"),
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "invalid_header"),
        ("factory,week,style,units\nSD,2026-W07,VT02,1\n", "invalid_header"),
        ("factory,iso_week,style,units\n", "no_rows"),
        ("factory,iso_week,style,units\nSD,2026-W07,VT02,0\n", "invalid_units"),
        ("factory,iso_week,style,units\nSD,2026-W07,VT02,10000001\n", "invalid_units"),
        ("factory,iso_week,style,units\nSD,2026-W07,VT02,1,extra\n", "wrong_column_count"),
    ],
)
def test_files_refused_as_a_whole(text: str, code: str) -> None:
    assert code in [c for _, _, c in errors_of(text)]


def test_a_file_over_the_row_limit_is_refused() -> None:
    rows = "".join(f"SD,{2000 + i // 52}-W{i % 52 + 1:02d},VT01,1\n" for i in range(MAX_ROWS + 1))
    assert errors_of("factory,iso_week,style,units\n" + rows)[-1][2] == "too_many_rows"


def test_the_error_details_are_bounded() -> None:
    rows = "".join(f"XX,2026-W01,VT01,{i + 1}\n" for i in range(300))
    with pytest.raises(VolumesRejected) as caught:
        parse("factory,iso_week,style,units\n" + rows)
    assert caught.value.details["error_count"] == 300
    assert len(caught.value.details["errors"]) == 100
