"""The first decision on a claim (warranty-policy.md; the `warranty.claim.approved|rejected|
flagged` contracts): abuse flags send it to an agent; otherwise it is approved only when both the
coverage term and the defect are covered, and the decision names the policy version, the rule
that decided (the term's when it ran out, else the defect's when that is excluded, else the
term's), every reason sentence (coverage first, then the defect), and the reason codes in order:
where coverage started, the regional floor if it applied, the term's outcome, the defect's."""

from __future__ import annotations

from datetime import date

import pytest

from services.warranty.domain.abuse import ReviewFlag
from services.warranty.domain.policy import assess_defect, check_coverage
from services.warranty.domain.verdict import Outcome, decide
from tests.support.warranty.dates import TODAY


def coverage(policy, region="US", **dates):  # type: ignore[no-untyped-def]
    return check_coverage(policy, category="small_leather_goods", region=region, today=TODAY,
                          **dates)  # fmt: skip


@pytest.mark.parametrize(
    ("region", "purchased", "codes"),
    [("US", date(2026, 6, 1), ("purchase_date", "component_covered")),
     # the floor stretched the 12 months to 24 and decided: named once
     ("UK", date(2025, 6, 1), ("purchase_date", "regional_floor_uk_eu", "component_covered")),
     # the floor applied but the base term had not run out (its rule, purchase_date, again)
     ("UK", date(2026, 6, 1), ("purchase_date", "regional_floor_uk_eu", "component_covered"))],
)  # fmt: skip
def test_a_covered_claim_is_approved_with_its_rule_reasons_and_codes(policy, region, purchased,
                                                                     codes):  # fmt: skip
    term, defect = (
        coverage(policy, region, purchase_date=purchased),
        assess_defect(policy, ["zips"]),
    )
    verdict = decide(term, defect)
    assert verdict.outcome is Outcome.APPROVE
    assert verdict.decision.covered is True
    assert verdict.decision.rule == term.rule
    assert verdict.decision.policy_version == "2024-01"
    assert verdict.decision.reasons == term.reasons + defect.reasons
    assert verdict.decision.reason_codes == codes
    assert (verdict.review_reasons, verdict.review_codes) == ((), ())


def test_the_floor_code_comes_between_the_start_and_the_terms_rule(policy):
    term = coverage(policy, "UK", purchase_date=date(2026, 6, 1))
    assert (term.floor_applied, term.rule) == (True, "purchase_date")
    verdict = decide(term, assess_defect(policy, ["zips"]))
    # purchase_date is both where coverage started and the term's rule: named once, first
    assert verdict.decision.reason_codes[:2] == ("purchase_date", "regional_floor_uk_eu")


def test_without_a_receipt_the_start_is_manufacture_plus_shelf(policy):
    term = check_coverage(policy, category="handbag", region="US", today=TODAY,
                          manufacture_date=date(2025, 6, 1))  # fmt: skip
    verdict = decide(term, assess_defect(policy, ["handles"]))
    assert verdict.decision.reason_codes == ("manufacture_plus_shelf", "component_covered")
    assert verdict.decision.rule == "manufacture_plus_shelf"


def test_an_expired_term_rejects_under_the_terms_rule(policy):
    term = coverage(policy, purchase_date=date(2025, 6, 1))
    verdict = decide(term, assess_defect(policy, ["zips"]))
    assert verdict.outcome is Outcome.REJECT
    assert (verdict.decision.covered, verdict.decision.rule) == (False, "expired")
    assert verdict.decision.reason_codes == ("purchase_date", "expired", "component_covered")


def test_an_excluded_cause_rejects_under_the_defects_rule(policy):
    term = coverage(policy, purchase_date=date(2026, 6, 1))
    defect = assess_defect(policy, ["zips"], "water")
    verdict = decide(term, defect)
    assert verdict.outcome is Outcome.REJECT
    assert (verdict.decision.covered, verdict.decision.rule) == (False, "excluded_cause")
    assert verdict.decision.reasons == term.reasons + defect.reasons
    assert verdict.decision.reason_codes == ("purchase_date", "excluded_cause")


def test_flags_send_the_claim_to_an_agent_with_their_sentences_and_codes(policy):
    flags = (ReviewFlag("label_claimed_by_other_customer", "Claimed by another customer."),
             ReviewFlag("too_many_claims_in_year", "More than 2 claims within 365 days."))  # fmt: skip
    verdict = decide(coverage(policy, purchase_date=date(2026, 6, 1)),
                     assess_defect(policy, ["zips"]), flags)  # fmt: skip
    assert verdict.outcome is Outcome.REVIEW
    assert verdict.review_reasons == ("Claimed by another customer.",
                                      "More than 2 claims within 365 days.")  # fmt: skip
    assert verdict.review_codes == ("label_claimed_by_other_customer", "too_many_claims_in_year")
    assert verdict.decision.covered is True  # what the policy alone would have said
