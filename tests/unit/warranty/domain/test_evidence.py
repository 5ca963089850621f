"""Who may take a kept label photo as a claim's evidence, and the ids photos are kept under
(docs/label-photos.md, "The photo as claim evidence"): the caller's own photo (an agent may use one
an agent read or the customer's they act for), not yet on a claim, of the claim's label code;
otherwise 404 `photo_not_found` (another customer's photo looks like none), 409
`photo_already_attached`, 422 `photo_label_mismatch`. Ids are `PH-` and 20 Crockford base-32
characters, as the claim contract's pattern says."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from services.warranty.domain import evidence
from services.warranty.domain.evidence import (
    EvidencePhoto,
    claim_photo_missing,
    ensure_attachable,
    new_photo_id,
)
from shared.actor import SYSTEM_ACTOR, Actor
from shared.contracts.warranty.claims import PHOTO_ID_PATTERN as CONTRACT_PATTERN
from shared.errors import DomainError

CODE = "SD-2025-51-VT01-0121"
ALICE = Actor(type="customer", id="cust-alice")
BOB = Actor(type="customer", id="cust-bob")
AGENT = Actor(type="agent", id="agent-1")
AGENT_FOR_ALICE = Actor(type="agent", id="agent-1", on_behalf_of="cust-alice")
AGENT_FOR_BOB = Actor(type="agent", id="agent-1", on_behalf_of="cust-bob")
PARTNER_FOR_ALICE = Actor(type="partner", id="partner-1", on_behalf_of="cust-alice")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U


def photo(uploaded_by: str | None = "cust-alice", claim_id: str | None = None) -> EvidencePhoto:
    return EvidencePhoto(
        id="PH-00000000000000000001", blob_key="PH-00000000000000000001.jpg",
        content_type="image/jpeg", label_code=CODE, uploaded_by=uploaded_by,
        uploaded_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC), claim_id=claim_id,
    )  # fmt: skip


def refusal(*args: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        ensure_attachable(*args)  # type: ignore[arg-type]
    return caught.value


# Who may use a photo: (who sent it, who opens the claim) -> allowed.
WHO_MAY_USE = [
    ("cust-alice", ALICE, True),  # the customer's own
    ("cust-alice", BOB, False),  # another customer's looks like none
    (None, ALICE, False),  # an agent read it: not a customer's to use
    (None, AGENT, True),  # any agent may use one an agent read
    (None, AGENT_FOR_BOB, True),
    ("cust-alice", AGENT_FOR_ALICE, True),  # the customer's they act for
    ("cust-alice", AGENT_FOR_BOB, False),
    ("cust-alice", AGENT, False),  # an agent acting for no one: not a customer's photo
    ("cust-alice", PARTNER_FOR_ALICE, False),  # partners open no claim from a photo
    (None, PARTNER_FOR_ALICE, False),
    ("cust-alice", SYSTEM_ACTOR, True),  # the service itself (and no actor) may
    ("cust-alice", None, True),
]


@pytest.mark.parametrize(("sender", "opener", "allowed"), WHO_MAY_USE)
def test_who_may_take_a_photo_as_evidence(sender, opener, allowed):
    kept = photo(uploaded_by=sender)
    if allowed:
        assert ensure_attachable(kept, kept.id, opener, CODE) is kept
        return
    error = refusal(kept, kept.id, opener, CODE)
    assert (error.code, error.kind, error.details) == (
        "photo_not_found", "not_found", {"photo_id": kept.id})  # fmt: skip


def test_an_unknown_photo_is_not_found_under_the_id_asked_for():
    error = refusal(None, "PH-0000000000000000000Z", ALICE, CODE)
    assert (error.code, error.kind, error.details) == (
        "photo_not_found", "not_found", {"photo_id": "PH-0000000000000000000Z"})  # fmt: skip


def test_a_photo_already_on_a_claim_is_a_conflict_even_for_its_owner():
    kept = photo(claim_id="CLM-1")
    error = refusal(kept, kept.id, ALICE, CODE)
    assert (error.code, error.kind, error.details) == (
        "photo_already_attached", "conflict", {"photo_id": kept.id})  # fmt: skip


def test_a_stranger_learns_nothing_about_an_attached_photo():
    error = refusal(photo(claim_id="CLM-1"), "PH-00000000000000000001", BOB, CODE)
    assert error.code == "photo_not_found"


@pytest.mark.parametrize("claimed", ["SD-2025-51-VT02-0121", None])
def test_a_photo_of_another_label_is_refused_naming_the_label_it_shows(claimed):
    kept = photo()
    error = refusal(kept, kept.id, ALICE, claimed)
    assert (error.code, error.kind) == ("photo_label_mismatch", "invalid")
    assert error.details == {"photo_id": kept.id, "photo_label_code": CODE}


def test_a_claim_without_a_photo_says_so_by_claim():
    error = claim_photo_missing("CLM-7")
    assert (error.code, error.kind, error.details) == (
        "claim_photo_not_found", "not_found", {"claim_id": "CLM-7"})  # fmt: skip


@pytest.mark.parametrize(
    ("entropy", "expected"),
    [(bytes(13), "0" * 20),
     (bytes(12) + b"\x01", "0" * 19 + "1"),
     (bytes(12) + b"\x1f", "0" * 19 + "Z"),  # 31: the last letter
     (bytes(12) + b"\x20", "0" * 18 + "10"),  # 32: the second place
     (bytes(11) + b"\x01\x00", "0" * 18 + "80"),  # 256 = 8 x 32
     (b"\xff" * 13, "Z" * 20),  # 104 bits: only the low 100 are kept
     (b"\x0f" + b"\xff" * 12, "Z" * 20),
     (b"\x00\x00\x00\x00\x01" + bytes(8), "0" * 7 + "G" + "0" * 12)],  # 2**64 = 16 x 32**12
)  # fmt: skip
def test_a_photo_id_is_its_entropy_in_crockford_base_32_most_significant_first(entropy, expected):
    assert new_photo_id(entropy) == "PH-" + expected


def test_every_letter_of_crockford_base_32_is_used_in_order():
    value = sum(i << (5 * (19 - i)) for i in range(20)) | (31 << 0)
    entropy = value.to_bytes(13, "big")
    assert new_photo_id(entropy) == "PH-" + CROCKFORD[:19] + "Z"
    rest = sum((20 + i) << (5 * (19 - i)) for i in range(12)).to_bytes(13, "big")
    assert new_photo_id(rest) == "PH-" + CROCKFORD[20:] + "0" * 8


def test_fresh_photo_ids_are_random_and_match_the_claim_contract():
    ids = {new_photo_id() for _ in range(50)}
    assert len(ids) == 50
    for photo_id in ids:
        assert re.fullmatch(CONTRACT_PATTERN, photo_id)
        assert set(photo_id[3:]) <= set(CROCKFORD)
    # the first character carries random bits too (100 random bits, not fewer): with 99 or
    # fewer it would never be past "F"; fifty ids all below "G" by chance is a 2**-50 event
    assert any(CROCKFORD.index(photo_id[3]) >= 16 for photo_id in ids)


def test_the_domain_pattern_is_the_contracts():
    assert evidence.PHOTO_ID_PATTERN == CONTRACT_PATTERN
    assert re.fullmatch(evidence.PHOTO_ID_PATTERN, "PH-7K3QX9M2B4C6D8F0G1H2")
    for wrong in ("PH-7K3QX9M2B4C6D8F0G1H", "PH-7K3QX9M2B4C6D8F0G1H2X", "XPH-7K3QX9M2B4C6D8F0G1H2"):
        assert not re.fullmatch(evidence.PHOTO_ID_PATTERN, wrong)
