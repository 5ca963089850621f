"""Who may see and change a claim (docs/architecture.md and the API's promise): a customer sees
only their own claims, and anyone else's looks like it does not exist; the repair centre's steps
are for agents, partners and the service; only an agent (or the service) decides a claim under
review. Each actor type against each rule, written out."""

from __future__ import annotations

import pytest

from services.warranty.domain.claim_access import (
    claim_not_found,
    ensure_decider,
    ensure_staff,
    ensure_visible,
    recorded,
)
from services.warranty.domain.claim_states import SYSTEM
from shared.actor import Actor
from shared.errors import Forbidden, NotFound
from tests.support.warranty.claims import new_claim

OWNER = Actor(type="customer", id="cust-1")
OTHER = Actor(type="customer", id="cust-2")
AGENT = Actor(type="agent", id="agent-7")
PARTNER = Actor(type="partner", id="repair-us")
SERVICE = Actor(type="system", id="orders")

# actor -> (sees cust-1's claim, may do the repair centre's steps, may decide a review)
RULES = {
    "owner": (OWNER, True, False, False),
    "another customer": (OTHER, False, False, False),
    "agent": (AGENT, True, True, True),
    "partner": (PARTNER, True, True, False),
    "service": (SERVICE, True, True, True),
    "no actor (internal call)": (None, True, True, True),
}


@pytest.mark.parametrize("who", list(RULES))
def test_each_actor_against_each_rule(who: str) -> None:
    actor, sees, staff, decides = RULES[who]
    claim = new_claim()
    assert claim.customer_id == "cust-1"
    if sees:
        assert ensure_visible(claim, claim.id, actor) is claim
    else:
        with pytest.raises(NotFound) as hidden:
            ensure_visible(claim, claim.id, actor)
        assert (hidden.value.code, hidden.value.details) == (
            "claim_not_found",
            {"claim_id": claim.id},
        )
    if staff:
        ensure_staff(actor)
    else:
        with pytest.raises(Forbidden) as refused:
            ensure_staff(actor)
        assert refused.value.code == "claim_action_forbidden"
    if decides:
        ensure_decider(actor)
    else:
        with pytest.raises(Forbidden) as refused:
            ensure_decider(actor)
        assert refused.value.code == "claim_action_forbidden"


def test_a_claim_that_does_not_exist_is_not_found_for_anyone() -> None:
    for actor in (OWNER, AGENT, None):
        with pytest.raises(NotFound) as missing:
            ensure_visible(None, "clm-404", actor)
        assert missing.value.code == "claim_not_found"
        assert missing.value.details == {"claim_id": "clm-404"}
    assert claim_not_found("clm-1").details == {"claim_id": "clm-1"}


def test_a_transition_records_the_caller_or_the_service() -> None:
    acting = Actor(type="agent", id="agent-7", on_behalf_of="cust-1")
    assert recorded(acting) == Actor(type="agent", id="agent-7")
    assert recorded(OWNER) == OWNER
    assert recorded(None) == SYSTEM
    assert (SYSTEM.type, SYSTEM.id) == ("system", "warranty")
