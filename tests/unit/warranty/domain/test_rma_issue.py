"""What an issued return authorisation records (warranty-policy.md: the RMA is valid for 30 days
from its issue; the printed form shows when it was issued and until when)."""

from __future__ import annotations

from datetime import timedelta

from services.warranty.domain.rma import issue_rma
from tests.support.warranty.dates import NOW


def test_an_rma_records_its_claim_and_when_it_was_issued(catalogue):
    issued_at = NOW + timedelta(hours=3)
    rma = issue_rma(
        claim_id="clm-9", region="UK", repair_centres=catalogue.repair_centres,
        issued_at=issued_at, entropy=b"\x00\x00\x00\x01",
    )  # fmt: skip
    assert (rma.claim_id, rma.issued_at) == ("clm-9", issued_at)
    assert rma.expires_at - rma.issued_at == timedelta(days=30)
    assert rma.number == f"RMA-{issued_at:%Y%m%d}-000001"
