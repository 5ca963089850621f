"""Claims listed by their turnaround (`?sla=at_risk|breached`) are filtered before the page is
cut: a late claim older than a page of newer claims at the repair centre is still found, and a
full page says there is a next one."""

from __future__ import annotations

from services.warranty.domain.labels import encode_gen2
from services.warranty.service_layer.claims import ClaimRequest
from shared.actor import Actor
from tests.support.warranty.use_cases import AGENT, CENTRE, Env


async def received_claim(env: Env, serial: int) -> str:
    request = ClaimRequest(region="UK", components=("handles",),
                           label_code=encode_gen2("SD", 2025, 51, "VT02", serial))  # fmt: skip
    claim = await env.claims.open_claim(Actor(type="customer", id=f"cust-{serial}"), request)
    await env.centre.record_receipt(CENTRE, claim.id)
    return claim.id


async def test_a_late_claim_behind_a_page_of_newer_ones_is_found(env: Env) -> None:
    late = await received_claim(env, 300)
    env.clock.advance(days=8)
    newer = [await received_claim(env, 301 + i) for i in range(3)]  # on track, newest first
    found, following = await env.queries.list_claims(AGENT, sla="breached", limit=2)
    assert [c.id for c in found] == [late] and following is None
    risky, _ = await env.queries.list_claims(AGENT, sla="at_risk", limit=2)
    assert [c.id for c in risky] == [late]
    assert len(newer) == 3


async def test_a_full_page_of_late_claims_has_a_next_page(env: Env) -> None:
    late = [await received_claim(env, 310 + i) for i in range(3)]
    env.clock.advance(days=8)
    first, following = await env.queries.list_claims(AGENT, sla="breached", limit=2)
    assert len(first) == 2 and following == 2
    rest, after = await env.queries.list_claims(AGENT, sla="breached", limit=2, offset=2)
    assert {c.id for c in first + rest} == set(late) and after is None
