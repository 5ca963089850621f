"""Every label error carries the details a client shows (problem+json `details`), exactly."""

from __future__ import annotations

import pytest

from services.warranty.domain import labels
from services.warranty.domain.errors import (
    LabelAmbiguousCorrection,
    LabelError,
    LabelFutureDate,
    LabelImpossibleDate,
    LabelUnknownFactory,
    LabelUnknownFormat,
)
from tests.support.warranty.dates import TODAY
from tests.support.warranty.label_fixtures import ambiguous_catalogue

FACTORIES = ["FI", "GZ", "HN", "MA", "NJ", "SD"]

CASES = [
    ("SD412", LabelUnknownFormat, {"length": 5, "expected_lengths": [16, 6]}),
    ("SD-2551-VT02-00120ZZ", LabelUnknownFormat, {"length": 17, "expected_lengths": [16, 6]}),
    ("SD-2X51-VT02-00120Z", LabelUnknownFormat,
     {"position": 4, "part": "year", "expected": "digit", "read": "X"}),
    ("S3-2551-VT02-00120Z", LabelUnknownFormat,
     {"position": 2, "part": "factory", "expected": "letter", "read": "3"}),
    ("SDX129", LabelUnknownFormat,
     {"position": 3, "part": "week", "expected": "digit", "read": "X"}),
    ("XX-2551-VT02-00120Z", LabelUnknownFactory, {"factory": "XX", "known": FACTORIES}),
    ("QQ4129", LabelUnknownFactory, {"factory": "QQ", "known": FACTORIES}),
    (labels.encode_gen2("SD", 2025, 53, "VT01", 1), LabelImpossibleDate,
     {"year": 2025, "week": 53, "weeks_in_year": 52}),
    (labels.encode_gen2("SD", 2025, 0, "VT01", 1), LabelImpossibleDate,
     {"year": 2025, "week": 0, "weeks_in_year": 52}),
    (labels.encode_gen2("SD", 2019, 10, "VT01", 1), LabelImpossibleDate,
     {"year": 2019, "week": 10, "generation": 2}),
    (labels.encode_gen1("SD", 2011, 10), LabelImpossibleDate,
     {"year": 2011, "week": 10, "generation": 1}),
    (labels.encode_gen1("SD", 2020, 10), LabelImpossibleDate,
     {"year": 2020, "week": 10, "generation": 1}),
    (labels.encode_gen1("SD", 2019, 53), LabelImpossibleDate,
     {"year": 2019, "week": 53, "weeks_in_year": 52}),
    (labels.encode_gen2("SD", 2026, 49, "VT01", 1), LabelFutureDate,
     {"year": 2026, "week": 49, "manufacture_date": "2026-11-30"}),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "error", "details"), CASES, ids=[c[0] for c in CASES])
def test_error_details(catalogue, raw, error, details):
    with pytest.raises(LabelError) as exc:
        labels.decode(raw, today=TODAY, catalogue=catalogue)
    assert type(exc.value) is error
    assert exc.value.details == details


def test_ambiguous_correction_details():
    with pytest.raises(LabelAmbiguousCorrection) as exc:
        labels.decode("SD2501AS1I000891", today=TODAY, catalogue=ambiguous_catalogue())
    # AS1I read: AS11 with check I, or A511 with check L; both known styles, both valid.
    assert exc.value.details == {
        "code": "SD-2501-AS1I-000891",
        "candidates": ["SD-2501-AS11-00089I", "SD-2501-A511-00089L"],
        "positions": [8, 10, 16],
    }


def test_weeks_in_iso_year():
    assert [labels.weeks_in_iso_year(y) for y in (2015, 2019, 2020, 2025, 2026)] == [
        53, 52, 53, 52, 53,
    ]  # fmt: skip


def test_formats():
    assert labels.format_code("SD2551VT0200120Z") == "SD-2551-VT02-00120Z"
    assert labels.format_code("SD4129") == "SD4129"
    assert labels.encode_gen1("FI", 2015, 3) == "FI0135"
