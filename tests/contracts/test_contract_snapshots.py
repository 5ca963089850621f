"""Event contracts change additively only.

Each event type's payload JSON Schema is snapshotted in shared/contracts/schemas/. A
non-additive change fails here; an additive change fails until the snapshot is re-recorded
with `UPDATE_SNAPSHOTS=1 pytest tests/contracts`, so the snapshots are always current.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shared.contracts.compat import breaking_changes
from shared.contracts.registry import load_all

SNAPSHOTS = Path(__file__).resolve().parents[2] / "shared" / "contracts" / "schemas"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
EVENTS = load_all()


def snapshot_path(event_type: str) -> Path:
    return SNAPSHOTS / f"{event_type}.json"


@pytest.mark.parametrize("event_type", sorted(EVENTS))
def test_event_schema_is_additive_and_snapshotted(event_type: str) -> None:
    schema = EVENTS[event_type].model.model_json_schema()
    path = snapshot_path(event_type)
    if path.exists():
        old = json.loads(path.read_text())
        problems = breaking_changes(old, schema)
        assert not problems, (
            f"non-additive change to {event_type}: {problems}; publish a new type (...v2) instead"
        )
    if UPDATE:
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        return
    assert path.exists(), (
        f"no snapshot for {event_type}: run UPDATE_SNAPSHOTS=1 pytest tests/contracts"
    )
    assert json.loads(path.read_text()) == schema, (
        f"{event_type} changed (additively): re-record its snapshot"
    )


def test_no_event_type_was_removed() -> None:
    recorded = {p.stem for p in SNAPSHOTS.glob("*.json")}
    removed = recorded - set(EVENTS)
    assert not removed, (
        f"event types removed (publish them until consumers have moved): {sorted(removed)}"
    )


def test_every_event_payload_is_documented() -> None:
    for spec in EVENTS.values():
        assert spec.model.__doc__, f"{spec.type}: payload model needs a docstring"
        for name, field in spec.model.model_fields.items():
            assert field.description, f"{spec.type}.{name} needs a description"


BASE = {
    "type": "object",
    "properties": {"claim_id": {"type": "string"}, "count": {"type": "integer"}},
    "required": ["claim_id"],
}


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ({**BASE, "properties": {**BASE["properties"], "extra": {"type": "string"}}}, []),
        ({**BASE, "properties": {"claim_id": {"type": "string"}}}, ["count: property removed"]),
        (
            {**BASE, "properties": {**BASE["properties"], "count": {"type": "string"}}},
            ["count: type changed integer -> string"],
        ),
        ({**BASE, "required": ["claim_id", "count"]}, ["count: became required"]),
    ],
)
def test_compatibility_checker_catches_breaking_changes(new: dict, expected: list[str]) -> None:
    assert breaking_changes(BASE, new) == expected
