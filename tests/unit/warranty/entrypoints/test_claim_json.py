"""The claim reply built as JSON (entrypoints/claim_json.py) is exactly what the contract gives.

For claims the use cases leave in each state, on a real database: validating the dict with
`ClaimView` and dumping it back changes nothing, and the wire bytes are the ones the contract's
own serializer writes. A field missed, renamed, mis-formatted (a time not in pydantic's "Z"
form, a date as a datetime) or out of order fails here.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import orjson

from services.warranty.adapters.reference_data import load_catalogue
from services.warranty.domain.claims import Claim
from services.warranty.domain.sla import DEFAULT_TIMINGS
from services.warranty.entrypoints.claim_json import claim_json
from services.warranty.service_layer.claims import ClaimRequest
from shared.contracts import warranty as c
from tests.support.warranty.use_cases import AGENT, ALICE, BOB, CENTRE, Env, story

CATALOGUE = load_catalogue()


def _check(claim: Claim, env: Env) -> dict:
    built = claim_json(claim, CATALOGUE, DEFAULT_TIMINGS, env.clock.now())
    model = c.ClaimView.model_validate(built)
    assert model.model_dump(mode="json") == built
    assert orjson.dumps(built) == model.model_dump_json().encode()
    return built


async def _journey(env: Env) -> list[Claim]:
    claim = await env.claims.open_claim(ALICE, story())
    seen = [claim]
    env.clock.advance(days=3, microseconds=123_456)  # a time with a fraction of a second
    seen.append(await env.centre.record_receipt(CENTRE, claim.id))
    seen.append(await env.centre.start_inspection(CENTRE, claim.id))
    seen.append(await env.centre.start_repair(CENTRE, claim.id))
    env.clock.advance(days=9)  # past the turnaround promise
    seen.append(await env.centre.record_shipment(CENTRE, claim.id, "Royal Mail", "RM1GB"))
    seen.append(await env.centre.record_delivery(CENTRE, claim.id))
    return seen


async def test_claims_in_every_state_give_the_contract_json(env: Env):
    seen = await _journey(env)
    flagged = await env.claims.open_claim(BOB, story())
    seen += [flagged, await env.claims.decide_claim(AGENT, flagged.id, False, "not the owner")]
    bought = ClaimRequest(region="UK", components=("stitching",), order_line_id="ord-9:1",
                          style_code="DJ27", purchase_date=date(2026, 10, 1))  # fmt: skip
    seen.append(await env.claims.open_claim(ALICE, bought))
    statuses, latest = set(), {}
    for claim in seen:
        statuses.add(_check(claim, env)["status"])
        latest[claim.id] = claim
    for claim_id, claim in latest.items():  # the hot read loses nothing the view shows
        assert _check(await env.queries.claim_now(AGENT, claim_id), env) == _check(claim, env)
    assert {"awaiting_item", "received", "inspecting", "repairing", "shipped_back", "closed",
            "needs_review", "rejected"} <= statuses  # fmt: skip
    assert any(_check(x, env)["resolution"] for x in seen)
    photo = dataclasses.replace(seen[0], evidence_photo_id="PH-7K3QX9M2B4C6D8F0G1H2")
    assert _check(photo, env)["evidence_photo"]["path"] == f"/v1/claims/{photo.id}/photo"
