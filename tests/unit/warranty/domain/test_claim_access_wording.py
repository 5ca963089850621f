"""What a refused caller reads (the API's problem `detail`): a hidden claim reads exactly like a
missing one, and a refusal says who may act."""

from __future__ import annotations

import pytest

from services.warranty.domain.claim_access import (
    claim_not_found,
    ensure_decider,
    ensure_staff,
    ensure_visible,
)
from shared.actor import Actor
from shared.errors import Forbidden, NotFound
from tests.support.warranty.claims import new_claim

CUSTOMER = Actor(type="customer", id="cust-2")


def test_a_hidden_claim_reads_like_a_missing_one() -> None:
    claim = new_claim()
    with pytest.raises(NotFound) as hidden:
        ensure_visible(claim, claim.id, CUSTOMER)
    with pytest.raises(NotFound) as missing:
        ensure_visible(None, claim.id, CUSTOMER)
    assert str(hidden.value) == str(missing.value) == "No such claim."
    assert str(claim_not_found("clm-1")) == "No such claim."


def test_a_refusal_says_who_may_act() -> None:
    with pytest.raises(Forbidden) as staff_only:
        ensure_staff(CUSTOMER)
    assert str(staff_only.value) == "Only an agent or the repair centre can do this."
    with pytest.raises(Forbidden) as deciders_only:
        ensure_decider(Actor(type="partner", id="repair-us"))
    assert str(deciders_only.value) == "Only an agent can decide a claim under review."
