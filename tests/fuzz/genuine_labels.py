"""Two label codes in three that schemathesis sends are made genuine, so its cases reach the rules.

A random string that fits the published label pattern almost never has the right ISO 7064 check
character, a known factory and a week that has passed, and a random style code is almost never
in the catalogue; so nearly every generated `POST /v1/claims` (and label decode / coverage check)
stops at a 422 verdict and schemathesis warns "schema validation mismatch". The schema cannot
publish genuineness or catalogue membership (see domain_verdicts.py); schemathesis' advice for
such rules is to extend the generator. This hook does that for two cases in three, in call order
(so a run with one worker replaces the same cases): the label code becomes a genuine
generation-2 label (known factory and style, a past week, serial and check character computed
by the warranty domain's encoder), derived from the generated code, and a typed style code
becomes a style of the catalogue; factories and styles are the service's reference data. The
third case in three keeps its fuzzed values, so the verdicts and the `only_domain_verdicts`
check are still exercised. (The share is above half because a fuzzed value fails nearly always,
and schemathesis warns when most cases of an operation are refused.)
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import date
from typing import Any

from services.warranty.adapters.reference_data import load_catalogue
from services.warranty.domain.labels import GEN2_FIRST_YEAR, encode_gen2

# The warranty service's own reference data (services/warranty/data: factories.json,
# styles.json), read the way the service reads it, so a factory or style added there is fuzzed
# too and one removed is never sent as "genuine".
_CATALOGUE = load_catalogue()
FACTORIES = tuple(sorted(_CATALOGUE.factories))
STYLES = tuple(sorted(_CATALOGUE.styles))
# Generation-2 labels exist from GEN2_FIRST_YEAR; every ISO week 01-52 of a past year is past.
YEARS = tuple(range(GEN2_FIRST_YEAR, date.today().year))
LABEL_OPERATIONS = frozenset(
    {("POST", "/v1/claims"), ("POST", "/v1/labels/decode"), ("POST", "/v1/warranty/check")}
)
_turns = itertools.count()


def _digest(seed: str) -> bytes:
    return hashlib.sha256(seed.encode("utf-8", "surrogatepass")).digest()


def genuine_label(seed: str) -> str:
    """A genuine generation-2 label derived from `seed` (same seed, same label): check character
    computed by the warranty domain's own encoder (ISO 7064 MOD 37-36, python-stdnum)."""
    digest = _digest(seed)
    return encode_gen2(
        factory=FACTORIES[digest[0] % len(FACTORIES)],
        year=YEARS[digest[1] % len(YEARS)],
        week=digest[2] % 52 + 1,  # weeks 01-52 exist in every ISO year
        style=STYLES[digest[3] % len(STYLES)],
        serial=int.from_bytes(digest[4:7], "big") % 100000,
    )


def known_style(seed: str) -> str:
    """A style of the catalogue derived from `seed`."""
    return STYLES[_digest(seed)[0] % len(STYLES)]


def made_genuine(body: dict[str, Any]) -> dict[str, Any]:
    """The body with its label code and typed style replaced by genuine ones."""
    body = dict(body)
    if isinstance(body.get("label_code"), str):
        body["label_code"] = genuine_label(body["label_code"])
    if isinstance(body.get("style_code"), str):
        body["style_code"] = known_style(body["style_code"])
    return body


def with_genuine_label(method: str, path: str, body: Any, turn: int | None = None) -> Any:
    """Two calls in three on a label operation get genuine values; the third is left fuzzed."""
    if (method.upper(), path) not in LABEL_OPERATIONS or not isinstance(body, dict):
        return body
    turn = next(_turns) if turn is None else turn
    return body if turn % 3 == 2 else made_genuine(body)
