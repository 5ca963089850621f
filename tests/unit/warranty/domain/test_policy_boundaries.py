"""The policy's boundaries, each on both sides: today, the day of manufacture, the last day of
the base term (and which rule the decision then cites), the floor's own last day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.warranty.domain.errors import WarrantyInputError
from services.warranty.domain.policy import DefectAssessment, assess_defect, check_coverage
from tests.support.warranty.dates import TODAY

DAY = timedelta(days=1)


def test_a_purchase_today_is_covered_from_today(policy):
    decision = check_coverage(
        policy, category="handbag", region="US", today=TODAY, purchase_date=TODAY
    )
    assert decision.covered and decision.rule == "purchase_date"
    assert decision.coverage_start == TODAY and decision.coverage_end == date(2028, 11, 22)


def test_a_purchase_tomorrow_is_refused(policy):
    with pytest.raises(WarrantyInputError) as exc:
        check_coverage(policy, category="handbag", region="US", today=TODAY,
                       purchase_date=TODAY + DAY)  # fmt: skip
    assert exc.value.code == "warranty_purchase_in_future"


def test_an_item_made_today_is_covered_from_the_end_of_its_shelf_allowance(policy):
    decision = check_coverage(
        policy, category="handbag", region="US", today=TODAY, manufacture_date=TODAY
    )
    assert decision.covered and decision.rule == "manufacture_plus_shelf"
    assert decision.coverage_start == date(2027, 5, 23)  # + 6 months
    assert decision.coverage_end == date(2029, 5, 22)


def test_an_item_made_tomorrow_is_refused(policy):
    with pytest.raises(WarrantyInputError) as exc:
        check_coverage(policy, category="handbag", region="US", today=TODAY,
                       manufacture_date=TODAY + DAY)  # fmt: skip
    assert exc.value.code == "warranty_manufacture_in_future"


def test_a_purchase_on_the_day_of_manufacture_is_accepted(policy):
    made = date(2026, 3, 2)
    decision = check_coverage(
        policy, category="handbag", region="US", today=TODAY, manufacture_date=made,
        purchase_date=made,
    )  # fmt: skip
    assert decision.covered and decision.start_rule == "purchase_date"
    assert decision.coverage_start == made
    with pytest.raises(WarrantyInputError) as exc:
        check_coverage(
            policy, category="handbag", region="US", today=TODAY, manufacture_date=made,
            purchase_date=made - DAY,
        )  # fmt: skip
    assert exc.value.code == "warranty_purchase_before_manufacture"
    assert exc.value.details == {"purchase_date": "2026-03-01", "manufacture_date": "2026-03-02"}


# Small leather goods bought 2024-03-01: the base term (12 months) ends 2025-02-28; in the UK
# and the EU the floor (24 months) carries it to 2026-02-28.
SLG = dict(category="small_leather_goods", purchase_date=date(2024, 3, 1))
BASE_END, FLOOR_END = date(2025, 2, 28), date(2026, 2, 28)


@pytest.mark.parametrize(
    ("region", "today", "covered", "rule", "floor_applied"),
    [
        ("US", BASE_END, True, "purchase_date", False),
        ("US", BASE_END + DAY, False, "expired", False),
        ("UK", BASE_END, True, "purchase_date", True),  # the base term still decides
        ("UK", BASE_END + DAY, True, "regional_floor_uk_eu", True),  # now the floor does
        ("EU", BASE_END + DAY, True, "regional_floor_uk_eu", True),
        ("UK", FLOOR_END, True, "regional_floor_uk_eu", True),
        ("UK", FLOOR_END + DAY, False, "expired", True),
    ],
)
def test_last_day_of_the_base_term_and_of_the_floor(policy, region, today, covered, rule,
                                                   floor_applied):  # fmt: skip
    decision = check_coverage(policy, region=region, today=today, **SLG)
    assert (decision.covered, decision.rule, decision.floor_applied) == (
        covered, rule, floor_applied,
    )  # fmt: skip
    assert decision.coverage_end == (FLOOR_END if floor_applied else BASE_END)
    assert decision.months == (24 if floor_applied else 12)


def test_the_floor_cites_the_presumed_start_rule_while_the_base_term_runs(policy):
    # Made 2023-06-05 (2019-01 shelf allowance, 3 months): start 2023-09-05 under 2019-01,
    # base 12 months to 2024-09-04, UK floor to 2025-09-04.
    kwargs = dict(category="handbag", region="UK", manufacture_date=date(2023, 6, 5))
    last_base = check_coverage(policy, today=date(2024, 9, 4), **kwargs)
    first_floor = check_coverage(policy, today=date(2024, 9, 5), **kwargs)
    assert (last_base.rule, last_base.policy_version) == ("manufacture_plus_shelf", "2019-01")
    assert first_floor.rule == "regional_floor_uk_eu"
    assert first_floor.coverage_start == date(2023, 9, 5)
    assert first_floor.coverage_end == date(2025, 9, 4)


def test_a_base_term_equal_to_the_floor_is_not_a_floor(policy):
    decision = check_coverage(
        policy, category="handbag", region="UK", today=TODAY, purchase_date=date(2025, 1, 1)
    )
    assert decision.months == 24 and not decision.floor_applied
    assert decision.rule == "purchase_date"


def test_the_reasons_trace_every_step(policy):
    decision = check_coverage(policy, region="UK", today=BASE_END + DAY, **SLG)
    assert decision.reasons == (
        "Coverage starts on the purchase date 2024-03-01.",
        "Policy version 2024-01 was in force on 2024-03-01.",
        "Small leather goods: 12 months under 2024-01.",
        "In UK the term is at least 24 months "
        "(statutory minimum for consumers in the UK and the EU).",
        "Covered until 2026-02-28.",
    )
    expired = check_coverage(policy, region="US", today=BASE_END + DAY, **SLG)
    assert expired.reasons[-1] == "Coverage ended on 2025-02-28."
    presumed = check_coverage(
        policy, category="handbag", region="US", today=TODAY, manufacture_date=date(2025, 12, 15)
    )
    assert presumed.reasons[0] == (
        "No proof of purchase: coverage starts 6 months (shelf allowance) after the "
        "manufacture date 2025-12-15, on 2026-06-15."
    )


def test_the_first_and_last_day_of_each_version(policy):
    assert policy.version_on(date(2019, 1, 1)).version == "2019-01"
    assert policy.version_on(date(2023, 12, 31)).version == "2019-01"
    assert policy.version_on(date(2024, 1, 1)).version == "2024-01"
    first, second = sorted(policy.versions, key=lambda v: v.in_force_from)
    assert first.in_force_on(date(2019, 1, 1)) and not first.in_force_on(date(2018, 12, 31))
    assert first.in_force_on(date(2023, 12, 31)) and not first.in_force_on(date(2024, 1, 1))
    assert second.in_force_on(date(2099, 1, 1))


def test_the_published_document_in_full(policy):
    doc = policy.to_document()
    assert doc["versions"][0] == {
        "version": "2019-01",
        "in_force_from": "2019-01-01",
        "in_force_until": "2023-12-31",
        "coverage_months": {"handbag": 12, "small_leather_goods": 12, "tech_accessory": 6,
                            "stationery": None},
        "shelf_allowance_months": 3,
    }  # fmt: skip
    assert doc["versions"][1]["in_force_until"] is None
    assert doc["versions"][1]["shelf_allowance_months"] == 6
    assert doc["regional_floor"] == {
        "rule": "regional_floor_uk_eu",
        "regions": ["EU", "UK"],
        "minimum_months": 24,
        "excluded_categories": ["stationery"],
        "reason": "statutory minimum for consumers in the UK and the EU",
    }
    assert doc["categories"]["handbag"] == "Handbags and leather goods"
    assert doc["resolution_order"] == ["repair", "replace_same", "replace_other", "store_credit"]
    assert (doc["rma_validity_days"], doc["turnaround_days"], doc["at_risk_after_days"]) == (
        30, 7, 5,
    )  # fmt: skip


COMPONENTS = [
    "edge_paint",
    "handles",
    "hardware",
    "lining",
    "piping",
    "stitching",
    "straps",
    "zips",
]
CAUSES = ["manufacturing_defect", "wear", "accident", "water", "heat", "alteration", "lost_parts"]


@pytest.mark.parametrize(
    ("kwargs", "code", "details"),
    [
        (dict(category="furniture", region="US", purchase_date=date(2025, 1, 1)),
         "warranty_unknown_category", {"category": "furniture"}),
        (dict(category="handbag", region="CA", purchase_date=date(2025, 1, 1)),
         "warranty_unknown_region", {"region": "CA", "known": ["US", "UK", "EU"]}),
        (dict(category="handbag", region="US"), "warranty_start_unknown", {}),
    ],
)  # fmt: skip
def test_coverage_question_error_details(policy, kwargs, code, details):
    with pytest.raises(WarrantyInputError) as exc:
        check_coverage(policy, today=TODAY, **kwargs)
    assert (exc.value.code, exc.value.details) == (code, details)


def test_defect_report_error_details(policy):
    with pytest.raises(WarrantyInputError) as exc:
        assess_defect(policy, ["handles", "wheels", "lid"])
    assert exc.value.details == {"unknown": ["wheels", "lid"], "known": COMPONENTS}
    with pytest.raises(WarrantyInputError) as exc:
        assess_defect(policy, ["handles"], "dog")
    assert exc.value.details == {"cause": "dog", "known": CAUSES}


def test_defect_assessment_in_full(policy):
    covered = assess_defect(policy, ["handles", "piping", "handles"])
    assert covered == DefectAssessment(
        True, "component_covered", ("handles", "piping"), "manufacturing_defect",
        ("Manufacturing defects in handles, piping are covered.",),
    )  # fmt: skip
    excluded = assess_defect(policy, ["zips"], "water")
    assert excluded == DefectAssessment(
        False, "excluded_cause", ("zips",), "water", ("Not covered: Water damage.",)
    )


def test_stationery_decision_in_full(policy):
    decision = check_coverage(
        policy, category="stationery", region="UK", today=TODAY, purchase_date=date(2026, 1, 1)
    )
    assert decision.reasons[-1] == "Stationery are not covered by the warranty."
    assert decision.covered is False and decision.floor_applied is False
    assert (decision.months, decision.coverage_start, decision.policy_version) == (
        None, date(2026, 1, 1), "2024-01",
    )  # fmt: skip


def test_the_floor_never_applies_to_an_excluded_category_even_if_covered(policy):
    # "never less than 24 months for goods other than stationery": were stationery ever covered
    # (12 months here), the UK floor would still not lift it.
    versions = tuple(
        replace(v, coverage_months={**v.coverage_months, "stationery": 12}) for v in policy.versions
    )
    decision = check_coverage(
        replace(policy, versions=versions), category="stationery", region="UK", today=TODAY,
        purchase_date=date(2026, 1, 1),
    )  # fmt: skip
    assert (decision.months, decision.floor_applied) == (12, False)
    assert decision.coverage_end == date(2026, 12, 31)


def test_a_day_after_the_last_version_ended_uses_the_last(policy):
    v2019, v2024 = sorted(policy.versions, key=lambda v: v.in_force_from)
    v2026 = replace(v2024, version="2026-01", in_force_from=date(2026, 1, 1),
                    in_force_until=date(2027, 12, 31))  # fmt: skip
    ended = replace(v2024, in_force_until=date(2025, 12, 31))
    three = replace(policy, versions=(v2019, ended, v2026))
    assert three.version_on(date(2028, 6, 1)).version == "2026-01"
    assert three.version_on(date(2025, 12, 31)).version == "2024-01"
    assert three.version_on(date(2018, 6, 1)).version == "2019-01"
