"""The fuzzing hook's quote bodies: catalogue styles sold in the region, distinct, within the
cart's limits, and one case in three left as fuzzed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.orders.adapters.reference_data import load_reference_data
from tests.fuzz.catalogue_quotes import from_catalogue, sold_in, with_catalogue_styles

STYLES = set(load_reference_data().styles)
LINE = st.fixed_dictionaries({"style": st.text(max_size=8), "quantity": st.integers(0, 999)})


@given(st.sampled_from(["US", "UK", "EU"]), st.lists(LINE, min_size=1, max_size=40))
def test_a_cart_gets_distinct_catalogue_styles_within_its_limits(region: str, lines: list) -> None:
    body = from_catalogue({"region": region, "lines": lines})
    styles = [line["style"] for line in body["lines"]]
    assert set(styles) <= set(sold_in(region)) <= STYLES
    assert len(styles) == len(set(styles)) == min(len(lines), 20, len(sold_in(region)))
    assert all(1 <= line["quantity"] <= 20 for line in body["lines"])


def test_a_style_restricted_in_the_region_is_never_chosen() -> None:
    assert "PY01" not in sold_in("UK") and "PY01" in sold_in("US")


def test_one_call_in_three_keeps_its_fuzzed_values() -> None:
    body = {"region": "UK", "style": "zz"}
    answers = [with_catalogue_styles("POST", "/v1/quotes", body, turn) for turn in range(6)]
    assert [answer == body for answer in answers] == [False, False, True] * 2
    assert with_catalogue_styles("POST", "/v1/orders", body, 0) == body
