"""The fuzzing hook's genuine values: the warranty decoder accepts every label, repeatably."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from services.warranty.adapters.reference_data import load_catalogue
from services.warranty.domain.labels import decode
from tests.fuzz.genuine_labels import (
    FACTORIES,
    STYLES,
    genuine_label,
    known_style,
    with_genuine_label,
)

CATALOGUE = load_catalogue()


@given(st.text(max_size=80))
def test_every_generated_label_is_genuine_for_the_service(seed: str) -> None:
    decoded = decode(genuine_label(seed), today=date.today(), catalogue=CATALOGUE)
    assert decoded.generation == 2
    assert CATALOGUE.style(decoded.style_code) is not None


def test_the_hook_uses_the_reference_data_factories_and_styles() -> None:
    assert set(FACTORIES) == set(CATALOGUE.factories)
    assert set(STYLES) == set(CATALOGUE.styles)


@given(st.text(max_size=80))
def test_the_same_generated_code_always_gets_the_same_label(seed: str) -> None:
    assert genuine_label(seed) == genuine_label(seed)
    assert known_style(seed) == known_style(seed)


def test_one_call_in_three_keeps_its_fuzzed_values() -> None:
    body = {"label_code": "000000", "style_code": "zz", "cause": "wear"}
    answers = [with_genuine_label("POST", "/v1/claims", body, turn) for turn in range(6)]
    assert [answer == body for answer in answers] == [False, False, True] * 2
    assert answers[0]["label_code"] == genuine_label("000000")
    assert answers[0]["style_code"] == known_style("zz")
    assert answers[0]["cause"] == "wear"


def test_only_the_label_operations_are_touched() -> None:
    body = {"label_code": "000000"}
    assert with_genuine_label("POST", "/v1/orders", body, 0) == body
    assert with_genuine_label("POST", "/v1/claims", ["a", "list"], 0) == ["a", "list"]
