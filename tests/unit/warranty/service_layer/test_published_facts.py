"""What leaves the warranty service when claims are decided or refused.

- Decision events carry reason codes; an agent's own words (which may name a person, a phone
  number, an address) stay in the claim's timeline, readable by agents through the API.
- 409 `claim_already_open` names the open claim only to its owner or an agent.
"""

from __future__ import annotations

import re

import pytest

from services.warranty.domain.abuse import OTHER_CUSTOMER
from shared.errors import DomainError
from tests.support.warranty.use_cases import AGENT, AGENT_FOR_ALICE, ALICE, BOB, Env, story

AGENT_WORDS = "Spoke to Jane Doe on +44 7700 900123, jane@example.com, 221B Baker Street"
CODE_LIKE = r"^[a-z0-9_]+$"


async def flagged_claim(stack: Env):
    first = await stack.claims.open_claim(ALICE, story())
    await stack.claims.cancel_claim(ALICE, first.id, "found the receipt")
    return await stack.claims.open_claim(BOB, story())


@pytest.mark.parametrize("approve", [True, False])
async def test_an_agents_decision_reason_is_not_published(env: Env, approve):
    flagged = await flagged_claim(env)
    await env.claims.decide_claim(AGENT, flagged.id, approve, AGENT_WORDS)
    kind = "approved" if approve else "rejected"
    [decided] = [p for p in await env.payloads(f"warranty.claim.{kind}")
                 if p["data"]["claim_id"] == flagged.id]  # fmt: skip
    reasons = decided["data"]["reasons"]
    assert reasons[-1] == "agent_review"
    assert all(re.match(CODE_LIKE, r) for r in reasons), reasons
    every_payload = [p for s in set(await env.subjects()) for p in await env.payloads(s)]
    assert not any("Jane" in str(p) or "Baker" in str(p) for p in every_payload)
    # The words stay in the service, for agents.
    claim = await env.queries.get_claim(AGENT, flagged.id)
    assert AGENT_WORDS in [t.reason for t in claim.transitions]


async def test_automatic_decisions_and_review_flags_publish_codes(env: Env):
    flagged = await flagged_claim(env)
    [event] = await env.payloads("warranty.claim.flagged")
    assert event["data"]["review_reasons"] == [OTHER_CUSTOMER]
    approved = (await env.payloads("warranty.claim.approved"))[0]["data"]
    assert approved["reasons"] == ["manufacture_plus_shelf", "component_covered"]
    assert flagged.review_reasons[0].endswith(".")  # agents still read the sentence


async def open_again(stack: Env, requester) -> DomainError:
    with pytest.raises(DomainError) as exc:
        await stack.claims.open_claim(requester, story())
    return exc.value


async def test_claim_already_open_names_the_claim_only_to_its_owner_or_an_agent(env: Env):
    open_claim = await env.claims.open_claim(ALICE, story())
    other = await open_again(env, BOB)
    assert other.code == "claim_already_open"
    assert open_claim.id not in str(other.to_dict())
    assert "claim_id" not in other.details
    owner = await open_again(env, ALICE)
    assert owner.details["claim_id"] == open_claim.id
    agent = await open_again(env, AGENT_FOR_ALICE.model_copy(update={"on_behalf_of": "cust-bob"}))
    assert agent.details["claim_id"] == open_claim.id
