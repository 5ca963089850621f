"""What an approved or rejected claim's event says about why (the `warranty.claim.approved` and
`rejected` contracts, shared/contracts/warranty/events.py): the rule that decided and the reason
codes in order, never a sentence; an agent's own words stay in the warranty service. A decision
that named no reason codes publishes its rule alone."""

from __future__ import annotations

from services.warranty.domain.claim_facts import decided
from services.warranty.domain.claim_values import Decision
from tests.support.warranty.claims import new_claim
from tests.support.warranty.dates import NOW

BY_POLICY = Decision(
    True, "manufacture_plus_shelf", "2024-01",
    ("Covered from manufacture plus shelf time.", "The UK/EU floor applies.", "Handles are covered."),
    reason_codes=("manufacture_plus_shelf", "regional_floor_uk_eu", "component_covered"),
)  # fmt: skip
BY_AGENT = Decision(
    False, "agent_review", "2024-01",
    ("Covered from manufacture plus shelf time.", "Agent: customer admitted dropping it"),
    reason_codes=("manufacture_plus_shelf", "agent_review"),
)  # fmt: skip
NO_CODES = Decision(False, "expired", "2019-01", ("Coverage ended on 2021-03-01.",))


def test_the_event_carries_the_reason_codes_in_order():
    facts = decided(new_claim(), BY_POLICY, NOW)
    assert facts["rule"] == "manufacture_plus_shelf" and facts["policy_version"] == "2024-01"
    assert facts["reasons"] == (
        "manufacture_plus_shelf",
        "regional_floor_uk_eu",
        "component_covered",
    )


def test_an_agents_words_never_reach_the_event():
    facts = decided(new_claim(), BY_AGENT, NOW)
    assert facts["rule"] == "agent_review"
    assert facts["reasons"] == ("manufacture_plus_shelf", "agent_review")
    assert not any("dropping" in code for code in facts["reasons"])


def test_a_decision_without_reason_codes_publishes_its_rule_alone():
    assert NO_CODES.codes == ("expired",)
    assert decided(new_claim(), NO_CODES, NOW)["reasons"] == ("expired",)


def test_the_codes_are_the_reason_codes_when_there_are_some():
    assert BY_POLICY.codes == BY_POLICY.reason_codes
    assert BY_AGENT.codes == ("manufacture_plus_shelf", "agent_review")
