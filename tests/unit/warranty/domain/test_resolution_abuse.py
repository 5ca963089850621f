"""Repair or replace (parts, stock, eligible styles, store credit) and the abuse screen of new claims."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.warranty.domain.abuse import (
    OTHER_CUSTOMER,
    TOO_MANY_CLAIMS,
    PriorClaim,
    screen_new_claim,
)
from services.warranty.domain.errors import ClaimAlreadyOpen, ResolutionError
from services.warranty.domain.policy import assess_defect, check_coverage
from services.warranty.domain.reference import PartStock
from services.warranty.domain.resolution import (
    PartUse,
    ResolutionKind,
    plan_resolution,
    reserve_parts,
    stock_levels,
)
from services.warranty.domain.verdict import Outcome, decide
from tests.support.warranty.dates import NOW

K = ResolutionKind


def plan(catalogue, style, region, components, region_stock=None, **kw):
    return plan_resolution(
        catalogue=catalogue, style_code=style, region=region, components=components,
        region_stock=region_stock or {}, **kw,
    )  # fmt: skip


def test_story_repair_with_matching_handles(catalogue):
    for region in ("US", "UK"):
        result = plan(catalogue, "VT02", region, ["handles", "piping"])
        assert result.kind == K.REPAIR
        assert result.parts == (PartUse("HANDLE-PAIR", "VT02", "brown", region),)


def test_piping_alone_prefers_the_specific_kit(catalogue):
    result = plan(catalogue, "VT01", "US", ["piping"])
    assert [p.part for p in result.parts] == ["PIPING-KIT"]


def test_piping_alone_on_vt02_uses_a_handle_pair(catalogue):
    assert [p.part for p in plan(catalogue, "VT02", "US", ["piping"]).parts] == ["HANDLE-PAIR"]


def test_consumable_repairs_need_no_parts(catalogue):
    result = plan(catalogue, "CC01", "EU", ["stitching", "edge_paint"])
    assert result.kind == K.REPAIR and result.parts == ()


def test_two_parts(catalogue):
    result = plan(catalogue, "JR01", "UK", ["zips", "stitching"])
    assert [p.part for p in result.parts] == ["ZIP-PULL"]


def test_no_parts_in_region_falls_back_to_same_style(catalogue):
    result = plan(catalogue, "VT02", "EU", ["handles"], {"VT02": 1})  # EU has 0 brown handle pairs
    assert result.kind == K.REPLACE_SAME and result.replacement_style == "VT02"


def test_out_of_stock_parts_are_not_used(catalogue):
    result = plan(catalogue, "JR01", "US", ["handles"], {"JR01": 0, "VT01": 3, "CC01": 9})
    assert result.kind == K.AWAITING_CHOICE
    assert result.options == ("VT01",)  # CC01 is cheaper than JR01


def test_customer_choice(catalogue):
    stock = {"JR01": 0, "VT01": 3}
    result = plan(catalogue, "JR01", "US", ["handles"], stock, customer_choice="VT01")
    assert result.kind == K.REPLACE_OTHER and result.replacement_style == "VT01"
    with pytest.raises(ResolutionError) as exc:
        plan(catalogue, "JR01", "US", ["handles"], stock, customer_choice="CC01")
    assert exc.value.code == "resolution_choice_not_eligible"


def test_store_credit_at_regional_price(catalogue):
    result = plan(catalogue, "JR01", "UK", ["handles"], {})
    assert result.kind == K.STORE_CREDIT
    assert (result.credit_amount, result.credit_currency) == (Decimal("159.00"), "GBP")
    assert result.to_dict()["credit_amount"] == "159.00"


def test_store_credit_without_regional_price_goes_to_an_agent(catalogue):
    result = plan(catalogue, "VT02", "EU", ["hardware"], {})
    assert result.kind == K.STORE_CREDIT and result.credit_amount is None
    assert result.credit_currency == "EUR"


def test_unknown_style(catalogue):
    with pytest.raises(ResolutionError) as exc:
        plan(catalogue, "ZZ99", "US", ["handles"])
    assert exc.value.code == "resolution_unknown_style"


def test_plan_uses_live_stock_when_given(catalogue):
    empty = [PartStock("HANDLE-PAIR", "VT02", "brown", {"US": 0})]
    assert (
        plan(catalogue, "VT02", "US", ["handles"], {"VT02": 2}, part_stock=empty).kind
        == K.REPLACE_SAME
    )


def test_reserve_parts(catalogue):
    levels = stock_levels(catalogue.part_stock)
    use = PartUse("HANDLE-PAIR", "VT02", "brown", "UK")
    after = reserve_parts(levels, [use])
    assert after[("HANDLE-PAIR", "VT02", "brown", "UK")] == 1
    assert levels[("HANDLE-PAIR", "VT02", "brown", "UK")] == 2  # input untouched
    after = reserve_parts(after, [use])
    with pytest.raises(ResolutionError) as exc:
        reserve_parts(after, [use])
    assert exc.value.code == "repair_parts_unavailable" and exc.value.kind == "conflict"


# --- abuse -------------------------------------------------------------------------------------


def prior(i, customer="cust-1", days_ago=30, open_=False, cancelled=False):
    return PriorClaim(f"clm-{i}", customer, NOW - timedelta(days=days_ago), open_, cancelled)


def screen(prior_claims, customer="cust-1"):
    return screen_new_claim(
        item_key="label:SD-2551-VT02-00120Z", customer_id=customer, prior=prior_claims, now=NOW
    )


def test_first_claim_is_clean():
    assert screen([]) == ()


def test_one_open_claim_per_item():
    with pytest.raises(ClaimAlreadyOpen) as exc:
        screen([prior(1, open_=True)])
    assert exc.value.code == "claim_already_open" and exc.value.kind == "conflict"
    assert exc.value.details["claim_id"] == "clm-1"


def test_other_customer_is_flagged():
    assert [f.rule for f in screen([prior(1, customer="cust-2", days_ago=700)])] == [OTHER_CUSTOMER]


def test_third_claim_in_a_year_is_flagged():
    assert screen([prior(1, days_ago=300)]) == ()
    flags = screen([prior(1, days_ago=300), prior(2, days_ago=20)])
    assert [f.rule for f in flags] == [TOO_MANY_CLAIMS]
    assert screen([prior(1, days_ago=400), prior(2, days_ago=20)]) == ()
    assert screen([prior(1, days_ago=300, cancelled=True), prior(2, days_ago=20)]) == ()


# --- first decision ----------------------------------------------------------------------------


def _coverage(policy, today):
    return check_coverage(
        policy, category="handbag", region="US", today=today, manufacture_date=date(2025, 12, 15)
    )


def test_verdict_approve_reject_review(policy):
    covered = _coverage(policy, date(2026, 11, 23))
    expired = _coverage(policy, date(2028, 7, 1))
    defect = assess_defect(policy, ["handles", "piping"])
    water = assess_defect(policy, ["lining"], "water")
    assert decide(covered, defect).outcome == Outcome.APPROVE
    rejected = decide(expired, defect)
    assert rejected.outcome == Outcome.REJECT and rejected.decision.rule == "expired"
    by_cause = decide(covered, water)
    assert by_cause.outcome == Outcome.REJECT and by_cause.decision.rule == "excluded_cause"
    flagged = screen([prior(1, customer="cust-2")])
    review = decide(covered, defect, flagged)
    assert review.outcome == Outcome.REVIEW and review.review_reasons
    assert review.decision.policy_version == "2024-01"
