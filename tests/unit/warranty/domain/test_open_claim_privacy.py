"""One open claim per physical item (warranty-policy.md, "Abuse"). Refusing a second claim names
the open one to its owner and to agents only: another customer must not learn another person's
claim id from the refusal (409 `claim_already_open`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.warranty.domain.abuse import PriorClaim, screen_new_claim
from services.warranty.domain.errors import ClaimAlreadyOpen
from tests.support.warranty.dates import NOW

ITEM = "label:SD2551VT0200120Z"
OPEN = [PriorClaim("clm-1", "cust-1", NOW - timedelta(days=3), open=True)]


def refusal(customer_id: str, **kw: bool) -> ClaimAlreadyOpen:
    with pytest.raises(ClaimAlreadyOpen) as caught:
        screen_new_claim(item_key=ITEM, customer_id=customer_id, prior=OPEN, now=NOW, **kw)
    return caught.value


def test_another_customer_is_not_told_the_open_claims_id():
    error = refusal("cust-2")
    assert (error.code, error.kind) == ("claim_already_open", "conflict")
    assert error.details == {"item_key": ITEM}


def test_an_agent_is_told_the_open_claims_id():
    assert refusal("cust-2", sees_every_claim=True).details == {
        "item_key": ITEM,
        "claim_id": "clm-1",
    }


def test_the_owner_is_told_it_without_being_an_agent():
    assert refusal("cust-1", sees_every_claim=False).details["claim_id"] == "clm-1"
