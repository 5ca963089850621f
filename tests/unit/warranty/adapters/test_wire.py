"""Domain events -> contract envelopes: every event has its contract, publishes all it carries,
and claim events keep stable ids (claim id + the claim's version)."""

from __future__ import annotations

import dataclasses

from services.warranty.adapters.wire import CONTRACTS, NOT_PUBLISHED, WarrantyWire, rma_form_path
from services.warranty.domain import events as ev
from services.warranty.domain.claims import SYSTEM
from shared.contracts import warranty as c
from tests.support.warranty.claims import COVERED, new_claim, rma_for
from tests.support.warranty.dates import NOW


def _event_classes(base: type) -> set[type]:
    found = set()
    for sub in base.__subclasses__():
        found |= {sub} | _event_classes(sub)
    return {cls for cls in found if "name" in vars(cls)}


def test_every_claim_event_of_the_contract_has_one_domain_event():
    published = {cls.name: CONTRACTS[cls] for cls in _event_classes(ev.ClaimEvent)}
    assert published == c.EVENT_MODELS


def test_every_fact_an_event_carries_is_published_by_its_contract():
    for event_class, model in CONTRACTS.items():
        carried = {f.name for f in dataclasses.fields(event_class)} - NOT_PUBLISHED
        assert carried <= set(model.model_fields), (
            event_class.__name__,
            carried - set(model.model_fields),
        )


def test_a_claim_event_becomes_its_contract_with_names_added_at_the_edge(catalogue):
    claim = new_claim()
    claim.approve(COVERED, SYSTEM, NOW)
    claim.issue_rma(rma_for(claim, catalogue), SYSTEM, NOW)
    issued = claim.pull_events()[-1]
    envelope = WarrantyWire(catalogue).to_cloud_event(issued)
    assert envelope.type == "warranty.claim.rma_issued" and envelope.subject == claim.id
    assert envelope.id == f"{claim.id}.3" and envelope.time == NOW
    data = envelope.model_dump(mode="json")["data"]
    assert data["product_name"] == catalogue.style("VT02").name
    assert data["rma_form_path"] == rma_form_path(claim.id)
    assert data["status"] == "awaiting_item" and data["rma_number"] == claim.rma.number
