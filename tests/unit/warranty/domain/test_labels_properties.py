"""Property tests for the label decoder.

What the decoder promises, and what the brand's check algorithm cannot promise:
- a valid code always decodes to exactly what it encodes;
- a single wrong character never decodes *silently* to another code: it is an error, the
  original, or a reported correction (look-alike repair is always reported);
- an adjacent transposition is the same, except where ISO/IEC 7064 MOD 37-36 itself accepts the
  transposed code (it misses roughly 0.1-0.3% of adjacent transpositions; see
  `test_mod_37_36_blind_spot_is_inherent`): the decoder adds no silent errors of its own;
- any text at all raises nothing but a `DomainError`.
"""

from __future__ import annotations

import string
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.iso7064 import mod_37_36

from services.warranty.adapters.reference_data import load_catalogue
from services.warranty.domain import labels
from services.warranty.domain.errors import LabelError
from shared.errors import DomainError
from tests.support.warranty.dates import TODAY

CATALOGUE = load_catalogue()
ALPHABET = string.digits + string.ascii_uppercase


@st.composite
def iso_weeks(draw, first_year: int, last_year: int) -> tuple[int, int]:
    year = draw(st.integers(first_year, last_year))
    week = draw(st.integers(1, labels.weeks_in_iso_year(year)))
    if date.fromisocalendar(year, week, 1) > TODAY:
        year, week = TODAY.isocalendar().year, TODAY.isocalendar().week
    return year, week


styles = st.one_of(
    st.sampled_from(sorted(CATALOGUE.styles)),
    st.text(alphabet=ALPHABET, min_size=4, max_size=4),
)


@st.composite
def gen2_codes(draw) -> tuple[str, str, int, int, str, int]:
    factory = draw(st.sampled_from(sorted(CATALOGUE.factories)))
    year, week = draw(iso_weeks(2020, TODAY.year))
    style = draw(styles)
    serial = draw(st.integers(0, 99999))
    return (
        labels.encode_gen2(factory, year, week, style, serial),
        factory,
        year,
        week,
        style,
        serial,
    )


def _decode(raw: str) -> labels.DecodedLabel:
    return labels.decode(raw, today=TODAY, catalogue=CATALOGUE)


@given(gen2_codes(), st.sampled_from(["", " ", "-", ".", "/"]), st.booleans())
def test_every_valid_gen2_code_decodes_to_what_it_encodes(generated, sep, lower):
    code, factory, year, week, style, serial = generated
    typed = code.replace("-", sep)
    result = _decode(typed.lower() if lower else typed)
    assert result.code == code
    assert result.factory.code == factory
    assert (result.year, result.week) == (year, week)
    assert result.manufacture_date == date.fromisocalendar(year, week, 1)
    assert result.style_code == style
    assert result.serial == f"{serial:05d}"
    assert (result.product is not None) == (style in CATALOGUE.styles)
    assert not result.correction.applied


@given(st.sampled_from(sorted(CATALOGUE.factories)), iso_weeks(2012, 2019))
def test_every_valid_gen1_code_decodes_to_what_it_encodes(factory, year_week):
    year, week = year_week
    result = _decode(labels.encode_gen1(factory, year, week))
    assert (result.generation, result.factory.code) == (1, factory)
    assert (result.year, result.week) == (year, week)
    assert not result.correction.applied


def _outcome(typed: str) -> labels.DecodedLabel | None:
    try:
        return _decode(typed)
    except LabelError:
        return None


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(gen2_codes(), st.integers(0, 15), st.sampled_from(ALPHABET))
def test_single_substitution_is_never_silently_another_code(generated, position, char):
    original = labels.normalize(generated[0])
    typed = original[:position] + char + original[position + 1 :]
    result = _outcome(typed)
    if result is None or result.code == generated[0]:
        return
    # Accepted as a different code: only ever as a reported look-alike correction.
    assert result.correction.applied
    assert result.correction.original == labels.format_code(typed)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(gen2_codes(), st.integers(0, 14))
def test_adjacent_transposition_is_never_silently_another_code(generated, position):
    original = labels.normalize(generated[0])
    chars = list(original)
    chars[position], chars[position + 1] = chars[position + 1], chars[position]
    typed = "".join(chars)
    result = _outcome(typed)
    if result is None or result.code == generated[0]:
        return
    if not result.correction.applied:
        # Only where the check algorithm itself accepts the transposed code.
        assert mod_37_36.is_valid(typed)


def test_mod_37_36_blind_spot_is_inherent():
    """Two valid codes one adjacent transposition apart: no decoder can tell them apart."""
    a, b = "GZ-2128-VT01-69157I", "GZ-2218-VT01-69157I"
    assert _decode(a).code == a and _decode(b).code == b


def test_substitutions_of_the_story_code_exhaustively():
    original = "SD2551VT0200120Z"
    for position in range(16):
        for char in ALPHABET:
            typed = original[:position] + char + original[position + 1 :]
            result = _outcome(typed)
            assert (
                result is None or result.code == "SD-2551-VT02-00120Z" or result.correction.applied
            )


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_random_text_raises_only_domain_errors(text):
    try:
        _decode(text)
    except DomainError:
        pass


@settings(max_examples=300)
@given(st.text(alphabet=ALPHABET + "-. /oilzsgbq", min_size=5, max_size=22))
def test_random_code_like_text_raises_only_domain_errors(text):
    try:
        result = _decode(text)
    except DomainError:
        return
    assert mod_37_36.is_valid(result.code.replace("-", "")) or result.generation == 1
