"""The hot read of a claim (adapters/claim_reads.py) gives the claim the full query gives, less
its history: every column (dates, JSON, UTC times with a fraction of a second, nulls) comes out
as the repository's own read has it."""

from __future__ import annotations

from services.warranty.adapters.claim_reads import ClaimReads
from services.warranty.adapters.reference_data import load_catalogue
from tests.support.warranty.use_cases import AGENT, ALICE, BOB, CENTRE, Env, story


async def test_hot_read_is_the_full_read_without_history(env: Env):
    claim = await env.claims.open_claim(ALICE, story())
    env.clock.advance(days=3, microseconds=654_321)
    await env.centre.record_receipt(CENTRE, claim.id)
    await env.centre.start_inspection(CENTRE, claim.id)
    await env.centre.start_repair(CENTRE, claim.id)
    await env.centre.record_shipment(CENTRE, claim.id, "Royal Mail", "RM1GB")
    await env.centre.record_delivery(CENTRE, claim.id)
    flagged = await env.claims.open_claim(BOB, story())
    reads = ClaimReads(env.db, load_catalogue())
    for claim_id in (claim.id, flagged.id):
        now = await reads.claim_now(claim_id)
        full = await env.queries.get_claim(AGENT, claim_id)
        full.transitions.clear()  # the hot read leaves the history out, and nothing else
        assert now == full
    hot = await reads.claim_now(claim.id)
    assert hot is not None and hot.received_at is not None
    assert hot.received_at.microsecond == 654_321
    assert await reads.claim_now("CLM-NONE") is None
