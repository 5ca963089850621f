"""Keep the objects a process builds at start-up out of its later garbage collections."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Move every object alive now (modules, classes, pydantic validators, SQLAlchemy's
    compiled statements, routes: 100,000-200,000 of them) into the permanent generation.

    They live as long as the process, yet CPython's full collection walks all of them again
    each time (tens of ms, several times a minute under load, on the event loop's thread).
    Collected once first, so no garbage is frozen with them. Objects made later are collected
    as before; this only changes what a collection has to look at. Measured under POST load:
    about 10% of the gateway's CPU per request, about 0.05 ms per POST in orders
    (docs/benchmarks.md, "Issue 14, seventh pass")."""
    gc.collect()
    gc.freeze()
