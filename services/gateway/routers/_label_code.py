"""A label code as the warranty service's reader accepts it, published as a pattern.

The reader (services/warranty/domain/labels.py `normalize`) drops whitespace and the separators
`- . /` (and the dashes people type), then wants 16 letters or digits (generation 2) or 6
(generation 1), each position a letter, a digit or either, look-alikes repaired; anything else is
`label_unknown_format`. That much a schema can say. Whether
a well-formed code is genuine (its check character, factory and date) it cannot: those are
domain verdicts with their own `label_*` codes (schemathesis.toml lists them for ST202).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from services.gateway.routers._contact import _WS

_SEP = f"[{_WS}\\-./\\u2010-\\u2014\\u2212]*"
# Per position (services/warranty/domain/labels.py): L a letter, or a digit read as one
# (0 1 2 5 8); D a digit, or a letter read as one (O Q D I L Z S G B); E either.
_KIND = {
    "L": "[A-Za-z01258]",
    "D": "[0-9OQDILZSGBoqdilzsgb]",
    "E": "[A-Za-z0-9]",
}
GEN2_KINDS = "LLDDDDEEEEDDDDDE"
GEN1_KINDS = "LLDDDD"


def _code(kinds: str) -> str:
    return "".join(f"{_KIND[kind]}{_SEP}" for kind in kinds)


LABEL_CODE_PATTERN = f"^{_SEP}(?:{_code(GEN2_KINDS)}|{_code(GEN1_KINDS)})$"
LABEL_CODE_DESCRIPTION = (
    "The label code as read: 16 letters or digits (`SD-2619-VT01-00042A`) or 6 (`SD4129`); "
    "case, spaces, hyphens, dots and slashes are ignored and look-alikes are repaired."
)
LabelCode = Annotated[
    str,
    Field(
        min_length=6,
        max_length=64,
        pattern=LABEL_CODE_PATTERN,
        description=LABEL_CODE_DESCRIPTION,
        examples=["SD-2S51-VTO2-0O12OZ"],
    ),
]
