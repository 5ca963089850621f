"""Return authorisations (number, repair centre, validity, reminder) and the turnaround promise."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from services.warranty.domain.rma import NoRepairCentre, issue_rma, rma_number
from services.warranty.domain.sla import SlaStatus, sla_due, sla_status
from tests.support.warranty.dates import NOW


def test_rma_number_format_is_readable_aloud():
    number = rma_number(date(2026, 11, 23), b"\xff\xff\xff\xff")
    assert re.fullmatch(r"RMA-20261123-[0-9A-HJKMNP-TV-Z]{6}", number)
    assert rma_number(date(2026, 11, 23), b"\x00\x00\x00\x00") == "RMA-20261123-000000"
    assert not set(number[13:]) & set("ILOU")


def test_rma_numbers_differ_with_entropy():
    numbers = {rma_number(date(2026, 1, 1), i.to_bytes(4, "big")) for i in range(0, 2**30, 2**20)}
    assert len(numbers) == 1024


@pytest.mark.parametrize(
    ("region", "city"), [("US", "Secaucus"), ("UK", "London"), ("EU", "Amsterdam")]
)
def test_rma_goes_to_the_regional_repair_centre(catalogue, region, city):
    rma = issue_rma(
        claim_id="c1", region=region, repair_centres=catalogue.repair_centres, issued_at=NOW,
        entropy=b"abcd",
    )  # fmt: skip
    assert city in rma.repair_centre.address
    assert rma.expires_at == NOW + timedelta(days=30)
    assert rma.reminder_due_at == NOW + timedelta(days=25)
    assert not rma.is_expired(NOW + timedelta(days=29, hours=23))
    assert rma.is_expired(NOW + timedelta(days=30))
    assert rma.reminder_due(NOW + timedelta(days=26)) and not rma.reminder_due(
        NOW + timedelta(days=31)
    )


def test_rma_for_unknown_region(catalogue):
    with pytest.raises(NoRepairCentre) as exc:
        issue_rma(
            claim_id="c1",
            region="CA",
            repair_centres=catalogue.repair_centres,
            issued_at=NOW,
            entropy=b"abcd",
        )
    assert exc.value.code == "rma_no_repair_centre"


def test_sla_due_times():
    due = sla_due(NOW)
    assert due.at_risk_at == NOW + timedelta(days=5)
    assert due.breached_at == NOW + timedelta(days=7)


@pytest.mark.parametrize(
    ("offset", "shipped", "expected"),
    [
        (None, None, SlaStatus.NOT_STARTED),
        (timedelta(days=1), None, SlaStatus.ON_TRACK),
        (timedelta(days=5) - timedelta(seconds=1), None, SlaStatus.ON_TRACK),
        (timedelta(days=5), None, SlaStatus.AT_RISK),
        (timedelta(days=7), None, SlaStatus.BREACHED),
        (timedelta(days=9), timedelta(days=6), SlaStatus.MET),
        (timedelta(days=9), timedelta(days=8), SlaStatus.MISSED),
    ],
)
def test_sla_status(offset, shipped, expected):
    received = None if offset is None else NOW
    now = NOW + (offset or timedelta())
    shipped_at = NOW + shipped if shipped else None
    assert sla_status(received, now, shipped_at=shipped_at) == expected
