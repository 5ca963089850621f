"""Every registered event contract, fuzzed without a bus: valid payloads generated from each
payload model's JSON Schema survive the CloudEvents envelope unchanged, and the payloads the
bus fuzzer sends as "malformed" really are refused by the contract (otherwise the bus test
would be asserting a dead letter for a valid event)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from shared.contracts.envelope import SPECVERSION, RawEvent, make_event
from shared.contracts.registry import EventSpec, load_all
from tests.fuzz.conftest import FUZZ_EXAMPLES, FUZZ_SEED
from tests.fuzz.strategies import bad_envelopes, valid_payloads, wrong_payload

SPECS = sorted(load_all().values(), key=lambda s: s.type)
EXAMPLES = settings(
    max_examples=max(10, FUZZ_EXAMPLES),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_every_producer_registered_events() -> None:
    prefixes = {spec.type.split(".", 1)[0] for spec in SPECS}
    assert prefixes == {"warranty", "orders", "notifications"}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.type)
@EXAMPLES
@seed(FUZZ_SEED)
@given(data=st.data())
def test_valid_payload_round_trips_through_the_envelope(
    spec: EventSpec, data: st.DataObject
) -> None:
    payload: BaseModel = data.draw(valid_payloads(spec.model))
    event = make_event(
        type=spec.type, source="/concierge/fuzz", subject="obj_1", data=payload, correlation_id="c1"
    )
    wire = event.model_dump_json().encode()

    raw = RawEvent.model_validate_json(wire)
    assert (raw.id, raw.type, raw.source, raw.subject) == (
        event.id,
        spec.type,
        event.source,
        "obj_1",
    )
    assert raw.specversion == SPECVERSION and raw.correlationid == "c1"
    assert raw.time == event.time and raw.time.tzinfo is not None
    model: Any = spec.model
    assert model.model_validate(raw.data) == payload
    # The wire form is plain JSON (what a partner or another language reads) and stable.
    assert json.loads(wire)["data"] == payload.model_dump(mode="json")
    assert RawEvent.model_validate_json(raw.model_dump_json()) == raw


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.type)
@EXAMPLES
@seed(FUZZ_SEED)
@given(data=st.data())
def test_wrong_payloads_are_refused_by_the_contract(spec: EventSpec, data: st.DataObject) -> None:
    payload = data.draw(wrong_payload(spec.model))
    model: Any = spec.model
    with pytest.raises(ValidationError):
        model.model_validate(payload)


@EXAMPLES
@seed(FUZZ_SEED)
@given(data=st.data())
def test_bad_envelopes_are_refused(data: st.DataObject) -> None:
    spec = data.draw(st.sampled_from(SPECS))
    body = data.draw(bad_envelopes(spec.type, {}))
    with pytest.raises(ValidationError):
        RawEvent.model_validate_json(json.dumps(body))


@EXAMPLES
@seed(FUZZ_SEED)
@given(junk=st.binary(max_size=256))
def test_junk_bytes_never_parse_as_an_event(junk: bytes) -> None:
    try:
        RawEvent.model_validate_json(junk)
    except ValidationError:
        return
    pytest.fail(f"junk parsed as an event: {junk!r}")
