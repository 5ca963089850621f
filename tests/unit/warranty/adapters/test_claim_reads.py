"""The hot read of a claim (adapters/claim_reads.py) gives the row SQLAlchemy Core gives.

On SQLite the row is read by the driver in one hop and converted by the columns' result
processors; every column (dates, JSON, UTC times with a fraction of a second, nulls) must come
out as Core's result has it, and so must the claim built from it.
"""

from __future__ import annotations

from services.warranty.adapters.claim_reads import ClaimReads
from services.warranty.adapters.reference_data import load_catalogue
from tests.support.warranty.use_cases import AGENT, ALICE, BOB, CENTRE, Env, story


async def test_one_hop_row_is_the_core_row(env: Env):
    claim = await env.claims.open_claim(ALICE, story())
    env.clock.advance(days=3, microseconds=654_321)
    await env.centre.record_receipt(CENTRE, claim.id)
    await env.centre.start_inspection(CENTRE, claim.id)
    await env.centre.start_repair(CENTRE, claim.id)
    await env.centre.record_shipment(CENTRE, claim.id, "Royal Mail", "RM1GB")
    await env.centre.record_delivery(CENTRE, claim.id)
    flagged = await env.claims.open_claim(BOB, story())
    reads = ClaimReads(env.db.engine, load_catalogue())
    rows = {}
    for claim_id in (claim.id, flagged.id):
        core = rows[claim_id] = dict(await reads._core_row(claim_id))
        if reads._one_hop:  # SQLite
            assert await reads._sqlite_row(claim_id) == core
        now = await reads.claim_now(claim_id)
        full = await env.queries.get_claim(AGENT, claim_id)
        full.transitions.clear()  # the hot read leaves the history out, and nothing else
        assert now == full
    assert rows[claim.id]["received_at"].microsecond == 654_321
    assert rows[claim.id]["resolution"] and rows[flagged.id]["review_reasons"]
    assert await reads.claim_now("CLM-NONE") is None
