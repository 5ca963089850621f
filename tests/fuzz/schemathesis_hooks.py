"""Hooks for the schemathesis CLI acceptance run (issue 12): `SCHEMATHESIS_HOOKS=tests.fuzz.schemathesis_hooks`.

Schemathesis draws `Idempotency-Key` values from a small space ("0", "00"...) and sends the same
key with different bodies to one operation. The gateway rightly answers that with 422
`idempotency_key_reused` (IETF httpapi Idempotency-Key draft, Stripe: one key is one request), so
without this hook most generated requests would test the idempotency store, not the operation.
The generated key is kept as a prefix (its format is still fuzzed) and made unique per call.
Label operations get genuine label codes in two schema-valid cases in three (genuine_labels.py),
quotes catalogue styles (catalogue_quotes.py), photo uploads a rendered label photo
(label_photos.py).
Importing `domain_verdicts` registers its `only_domain_verdicts` check with the CLI.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from tests.fuzz import domain_verdicts  # noqa: F401  (registers only_domain_verdicts)
from tests.fuzz.catalogue_quotes import with_catalogue_styles
from tests.fuzz.genuine_labels import with_genuine_label
from tests.fuzz.idempotency_keys import unique_key
from tests.fuzz.label_photos import with_label_photo


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = unique_key(case.headers["Idempotency-Key"])
    # Only a schema-valid case may be made genuine: a negative case must stay invalid.
    if case.meta is None or not case.meta.generation.mode.is_negative:
        genuine = with_genuine_label(case.method, case.path, case.body)
        genuine = with_catalogue_styles(case.method, case.path, genuine)
        photo = with_label_photo(case.method, case.path, genuine)
        if photo is not genuine:
            case.body = photo
            # schemathesis 4.32 re-validates a body a hook changed, and counts any body holding
            # bytes as schema-violating (jsonschema-rs cannot judge binary), which would turn a
            # real photo into a "negative" case. A photo of a label is a valid `format: binary`
            # part, so the case keeps the mode it was generated with.
            case._record_starting_state()
        elif genuine is not case.body:
            case.body = genuine
