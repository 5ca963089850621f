"""Claims built through the aggregate's public API, for the domain tests."""

from __future__ import annotations

from datetime import date

from services.warranty.domain.claims import Claim, ClaimItem, Decision
from services.warranty.domain.rma import Rma, issue_rma
from shared.actor import Actor

from .dates import NOW

CUSTOMER = Actor(type="customer", id="cust-1")
AGENT = Actor(type="agent", id="agent-7")
CENTRE = Actor(type="partner", id="repair-us")
COVERED = Decision(True, "manufacture_plus_shelf", "2024-01", ("covered until 2028-06-14",))
NOT_COVERED = Decision(False, "expired", "2019-01", ("coverage ended",))


def new_claim() -> Claim:
    return Claim.submit(
        claim_id="clm-1",
        customer_id="cust-1",
        region="US",
        item=ClaimItem(
            "handbag",
            label_code="SD-2551-VT02-00120Z",
            style_code="VT02",
            manufacture_date=date(2025, 12, 15),
        ),
        components=("handles", "piping"),
        cause="manufacturing_defect",
        actor=CUSTOMER,
        at=NOW,
    )


def rma_for(claim: Claim, catalogue, at=NOW) -> Rma:  # type: ignore[no-untyped-def]
    return issue_rma(
        claim_id=claim.id, region=claim.region, repair_centres=catalogue.repair_centres,
        issued_at=at, entropy=b"\x01\x02\x03\x04",
    )  # fmt: skip
