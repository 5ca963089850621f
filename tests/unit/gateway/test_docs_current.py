"""docs/openapi.json and docs/asyncapi.json are what the code generates (regenerate with the
`write_docs` command when this fails after a router or contract change)."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel, Field

from services.gateway.asyncapi import build_asyncapi
from services.gateway.docs import write_docs

DOCS = Path(__file__).resolve().parents[3] / "docs"


@pytest.mark.parametrize("name", ["openapi.json", "asyncapi.json"])
def test_committed_docs_are_current(tmp_path: Path, name: str) -> None:
    write_docs(tmp_path)
    committed = DOCS / name
    assert committed.exists(), f"{committed} is missing: run write_docs"
    assert (tmp_path / name).read_text() == committed.read_text(), (
        f"{name} is stale: regenerate the docs"
    )


class SampleClaimApproved(BaseModel):
    """A claim was approved for repair."""

    claim_id: str = Field(description="Claim id.", examples=["CLM-2026-000123"])
    decision: str = Field(description="repair or replace.", examples=["repair"])


class SampleInternal(BaseModel):
    """Internal only."""

    claim_id: str


def test_asyncapi_from_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.contracts import registry

    specs = {
        "warranty.claim.sampled": registry.EventSpec(
            "warranty.claim.sampled", SampleClaimApproved, True, "A claim was approved."
        ),
        "warranty.claim.internal": registry.EventSpec(
            "warranty.claim.internal", SampleInternal, False, "Internal."
        ),
    }
    monkeypatch.setattr(registry, "EVENT_TYPES", specs)
    monkeypatch.setattr(registry, "load_all", lambda: specs)
    monkeypatch.setattr("services.gateway.asyncapi.load_all", lambda: specs)
    doc = build_asyncapi()
    assert doc["asyncapi"] == "3.0.0"
    assert [c["address"] for c in doc["channels"].values()] == ["warranty.claim.sampled"]
    op = doc["operations"]["receiveWarrantyClaimSampled"]
    assert op["action"] == "receive" and op["channel"] == {
        "$ref": "#/channels/warranty_claim_sampled"
    }
    message = doc["components"]["messages"]["warranty_claim_sampled"]
    example = message["examples"][0]["payload"]
    assert example["data"] == {"claim_id": "CLM-2026-000123", "decision": "repair"}
    root = {**message["payload"], "components": doc["components"]}
    jsonschema.validate(example, root)  # the example matches the published schema
    data_schema = doc["components"]["schemas"]["SampleClaimApproved"]
    assert data_schema["properties"]["claim_id"]["description"] == "Claim id."


def test_every_partner_event_has_an_example_matching_its_schema() -> None:
    doc = build_asyncapi()
    assert doc["channels"], "no partner-visible events registered"
    for ident, message in doc["components"]["messages"].items():
        example = message["examples"][0]["payload"]
        root = {**message["payload"], "components": doc["components"]}
        jsonschema.validate(example, root)
        assert example["type"] == message["name"], ident
