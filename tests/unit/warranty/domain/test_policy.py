"""The published warranty policy: coverage start and length per category and region, and defects."""

from __future__ import annotations

from datetime import date

import pytest

from services.warranty.domain import labels
from services.warranty.domain.errors import WarrantyInputError
from services.warranty.domain.policy import Rule, add_months, assess_defect, check_coverage
from tests.support.warranty.dates import TODAY


def test_story_handbag_without_receipt_is_covered(policy, catalogue):
    label = labels.decode("SD-2551-VT02-00120Z", today=TODAY, catalogue=catalogue)
    assert label.manufacture_date == date(2025, 12, 15)
    eleven_months_later = date(2026, 11, 15)
    for region in ("US", "UK"):
        decision = check_coverage(
            policy,
            category=label.product.category,
            region=region,
            today=eleven_months_later,
            manufacture_date=label.manufacture_date,
        )
        assert decision.covered
        assert decision.rule == "manufacture_plus_shelf"
        assert decision.policy_version == "2024-01"
        assert decision.coverage_start == date(2026, 6, 15)  # + 6 months shelf allowance
        assert decision.coverage_end == date(2028, 6, 14)
        assert not decision.floor_applied
        assert decision.reasons


def test_purchase_date_starts_coverage_and_picks_the_version(policy):
    decision = check_coverage(
        policy, category="handbag", region="US", today=date(2023, 7, 1),
        purchase_date=date(2022, 7, 1),
    )  # fmt: skip
    assert decision.covered is False
    assert decision.rule == "expired"
    assert decision.policy_version == "2019-01"
    assert decision.coverage_end == date(2023, 6, 30)


def test_purchase_date_wins_over_manufacture_date(policy):
    decision = check_coverage(
        policy, category="tech_accessory", region="US", today=date(2025, 1, 1),
        manufacture_date=date(2023, 1, 2), purchase_date=date(2024, 3, 1),
    )  # fmt: skip
    assert decision.start_rule == "purchase_date"
    assert decision.policy_version == "2024-01"
    assert decision.months == 12 and decision.covered


def test_version_boundary(policy):
    before = check_coverage(
        policy, category="handbag", region="US", today=date(2024, 6, 1),
        purchase_date=date(2023, 12, 31),
    )  # fmt: skip
    after = check_coverage(
        policy, category="handbag", region="US", today=date(2024, 6, 1),
        purchase_date=date(2024, 1, 1),
    )  # fmt: skip
    assert (before.policy_version, before.months) == ("2019-01", 12)
    assert (after.policy_version, after.months) == ("2024-01", 24)


def test_shelf_allowance_of_the_2019_version(policy):
    decision = check_coverage(
        policy, category="handbag", region="US", today=date(2020, 1, 1),
        manufacture_date=date(2019, 3, 4),
    )  # fmt: skip
    assert decision.coverage_start == date(2019, 6, 4)
    assert decision.policy_version == "2019-01"


def test_regional_floor_extends_and_decides(policy):
    kwargs = dict(
        category="small_leather_goods", today=date(2025, 9, 1), purchase_date=date(2024, 3, 1)
    )
    us = check_coverage(policy, region="US", **kwargs)
    uk = check_coverage(policy, region="UK", **kwargs)
    eu = check_coverage(policy, region="EU", **kwargs)
    assert (us.covered, us.rule, us.floor_applied) == (False, "expired", False)
    for decision in (uk, eu):
        assert decision.covered and decision.floor_applied
        assert decision.rule == "regional_floor_uk_eu"
        assert decision.months == 24 and decision.coverage_end == date(2026, 2, 28)


def test_floor_applied_but_base_term_still_running(policy):
    decision = check_coverage(
        policy, category="tech_accessory", region="EU", today=date(2024, 6, 1),
        purchase_date=date(2024, 3, 1),
    )  # fmt: skip
    assert decision.floor_applied and decision.rule == "purchase_date"


def test_floor_can_also_expire(policy):
    decision = check_coverage(
        policy, category="tech_accessory", region="UK", today=date(2026, 3, 1),
        purchase_date=date(2024, 2, 1),
    )  # fmt: skip
    assert not decision.covered and decision.rule == "expired" and decision.floor_applied


@pytest.mark.parametrize("region", ["US", "UK", "EU"])
def test_stationery_is_never_covered(policy, region):
    decision = check_coverage(
        policy, category="stationery", region=region, today=date(2026, 1, 2),
        purchase_date=date(2026, 1, 1),
    )  # fmt: skip
    assert not decision.covered
    assert decision.rule == "category_not_covered"
    assert decision.coverage_end is None and not decision.floor_applied


def test_presumed_start_in_the_future_is_still_covered(policy):
    decision = check_coverage(
        policy, category="handbag", region="US", today=date(2026, 2, 1),
        manufacture_date=date(2026, 1, 5),
    )  # fmt: skip
    assert decision.covered and decision.coverage_start == date(2026, 7, 5)


def test_last_covered_day(policy):
    kwargs = dict(category="handbag", region="US", purchase_date=date(2024, 2, 29))
    assert check_coverage(policy, today=date(2026, 2, 27), **kwargs).covered
    assert not check_coverage(policy, today=date(2026, 2, 28), **kwargs).covered


def test_add_months_clamps_to_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2024, 12, 15), 24) == date(2026, 12, 15)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        (
            dict(category="furniture", region="US", purchase_date=date(2025, 1, 1)),
            "warranty_unknown_category",
        ),
        (
            dict(category="handbag", region="CA", purchase_date=date(2025, 1, 1)),
            "warranty_unknown_region",
        ),
        (dict(category="handbag", region="US"), "warranty_start_unknown"),
        (
            dict(category="handbag", region="US", purchase_date=date(2027, 1, 1)),
            "warranty_purchase_in_future",
        ),
        (
            dict(category="handbag", region="US", manufacture_date=date(2027, 1, 4)),
            "warranty_manufacture_in_future",
        ),
        (
            dict(
                category="handbag",
                region="US",
                manufacture_date=date(2025, 6, 2),
                purchase_date=date(2025, 1, 1),
            ),
            "warranty_purchase_before_manufacture",
        ),
    ],
)
def test_rejected_coverage_questions(policy, kwargs, code):
    with pytest.raises(WarrantyInputError) as exc:
        check_coverage(policy, today=TODAY, **kwargs)
    assert exc.value.code == code


@pytest.mark.parametrize(
    "component",
    ["handles", "straps", "piping", "stitching", "zips", "hardware", "lining", "edge_paint"],
)
def test_covered_components(policy, component):
    assessment = assess_defect(policy, [component])
    assert assessment.covered and assessment.rule == "component_covered"


@pytest.mark.parametrize("cause", ["wear", "accident", "water", "heat", "alteration", "lost_parts"])
def test_exclusions(policy, cause):
    assessment = assess_defect(policy, ["handles", "piping"], cause)
    assert not assessment.covered and assessment.rule == Rule.EXCLUDED_CAUSE
    assert assessment.cause == cause


@pytest.mark.parametrize(
    ("components", "cause", "code"),
    [
        ([], "manufacturing_defect", "warranty_no_components"),
        (["wheels"], "manufacturing_defect", "warranty_unknown_component"),
        (["handles"], "dog", "warranty_unknown_cause"),
    ],
)
def test_rejected_defect_reports(policy, components, cause, code):
    with pytest.raises(WarrantyInputError) as exc:
        assess_defect(policy, components, cause)
    assert exc.value.code == code


def test_policy_document_is_public_and_versioned(policy):
    doc = policy.to_document()
    assert [v["version"] for v in doc["versions"]] == ["2019-01", "2024-01"]
    assert doc["versions"][1]["coverage_months"]["handbag"] == 24
    assert doc["versions"][0]["coverage_months"]["stationery"] is None
    assert doc["regional_floor"]["regions"] == ["EU", "UK"]
    assert "edge_paint" in doc["covered_components"] and "water" in doc["exclusions"]


def test_version_before_first_publication_uses_the_first(policy):
    assert policy.version_on(date(2015, 5, 1)).version == "2019-01"
    assert policy.version_on(date(2030, 5, 1)).version == "2024-01"
