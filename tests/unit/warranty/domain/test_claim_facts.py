"""The facts an RMA event repeats: the RMA's number and end once the claim has one, and none
before (claim_facts.with_rma)."""

from __future__ import annotations

from dataclasses import replace

from services.warranty.domain.claim_facts import with_rma
from tests.support.warranty.claims import new_claim, rma_for
from tests.support.warranty.dates import NOW


def test_an_rma_event_repeats_the_rma_number_and_its_end(catalogue) -> None:
    claim = new_claim()
    without = with_rma(claim, NOW)
    assert (without["rma_number"], without["rma_expires_at"]) == (None, None)
    assert (without["claim_id"], without["seq"]) == (claim.id, claim.version + 1)
    rma = rma_for(claim, catalogue)
    facts = with_rma(replace(claim, rma=rma), NOW)
    assert (facts["rma_number"], facts["rma_expires_at"]) == (rma.number, rma.expires_at)
