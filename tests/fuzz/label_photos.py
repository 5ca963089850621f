"""Two `POST /v1/labels/read` uploads in three carry a real label photo instead of fuzzed bytes.

The schema says the `image` part is a binary string; it cannot say "a JPEG, PNG or WebP with a
label on it". Fuzzed bytes are almost never an image, so nearly every generated upload was
refused with 422 `photo_not_an_image` and schemathesis warned "schema validation mismatch" on
this operation. As genuine_labels.py does for typed codes, two schema-valid uploads in three get
a rendered photo of a genuine label (tests/support/warranty/photo_set.py, the easy tier), and
the third keeps its fuzzed bytes, so the refusals stay covered by `only_domain_verdicts`.
"""

from __future__ import annotations

import functools
import itertools
import random
from typing import Any

from tests.fuzz.genuine_labels import genuine_label
from tests.support.warranty.photo_set import render

OPERATION = ("POST", "/v1/labels/read")
PHOTOS = 4  # rendered once per run; the OCR, not the rendering, is what the run exercises
_turns = itertools.count()


@functools.cache
def label_photos() -> tuple[bytes, ...]:
    rng = random.Random(12)
    return tuple(render(genuine_label(f"photo-{i}"), "easy", rng) for i in range(PHOTOS))


def with_label_photo(method: str, path: str, body: Any, turn: int | None = None) -> Any:
    """Two calls in three on the photo operation get a real photo; the third is left fuzzed."""
    if (method.upper(), path) != OPERATION or not isinstance(body, dict) or "image" not in body:
        return body
    turn = next(_turns) if turn is None else turn
    return body if turn % 3 == 2 else {**body, "image": label_photos()[turn % PHOTOS]}
