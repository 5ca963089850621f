"""The e2e suites' no-personal-data scanner finds what it must and passes real business facts."""

from __future__ import annotations

import pytest

from tests.support.event_scan import scan_event, text_problems

APPROVED = {
    "claim_id": "CLM-1", "customer_id": "c1", "status": "approved", "region": "UK",
    "occurred_at": "2026-12-05T00:00:00Z", "rule": "agent_review", "policy_version": "2024-01",
    "reasons": ["manufacture_plus_shelf", "agent_review"], "label_code": "SD-2551-VT02-00120Z",
    "product_name": "Vintage Tote",
}  # fmt: skip


def event(data: dict, type_: str = "warranty.claim.approved") -> dict:
    return {"id": "e1", "type": type_, "data": data}


def test_a_clean_event_passes():
    assert scan_event(event(APPROVED)) == []


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("jane@example.com", "email address"),
        ("+44 7700 900123", "phone number"),
        ("call 07700 900123", "phone number"),
        ("221B Baker Street", "street address"),
        ("Customer said it broke on holiday", "free text"),
        ("Looks fine.", "free text"),
    ],
)
def test_personal_data_and_free_text_are_found(text, finding):
    problems = scan_event(event(APPROVED | {"reasons": ["agent_review", text]}))
    assert any(finding in p for p in problems), problems


def test_the_brands_own_address_and_product_names_are_business_facts():
    assert text_problems("data.repair_centre_address", "100 Meadowlands Pkwy, Secaucus") == []
    assert text_problems("data.product_name", "The Weekend Tote in Tan") == []
    assert text_problems("data.repair_centre_address", "call +44 7700 900123") != []


def test_ids_dates_amounts_and_codes_are_not_mistaken_for_phones():
    for text in ("2026-12-05T00:00:00Z", "95.82", "o_1b2c3d4e5f", "1Z999AA10123456784",
                 "SD-2551-VT02-00120Z", "9400111899223345", "US-NJ",
                 "<d1b2c3@notifications.concierge.local>"):  # fmt: skip
        assert text_problems("data.x", text) == [], text


def test_unknown_types_and_contract_violations_are_reported():
    assert "registry" in scan_event(event({}, "warranty.claim.nonexistent"))[0]
    assert "contract" in scan_event(event({"claim_id": "CLM-1"}))[0]
