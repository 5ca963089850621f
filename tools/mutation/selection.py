"""Which unit tests run against a module's mutants: the tests of its service that use it (or a
domain module importing it), plus the service-layer tests that reach it through fixtures, or
only its domain-level tests where the others take tens of seconds per mutant."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


SAGA_TESTS = tuple(f"test_{n}.py" for n in "ordering order_saga cart_orders saga_sweep "
                   "correlation inventory workers".split())  # fmt: skip
RETURN_TESTS = tuple(f"test_{n}.py" for n in "returns cart_returns exchanges exchange_shipping "
                     "return_event_privacy".split())  # fmt: skip
# Modules whose rules the unit tests reach through the service layer without importing them
# (the delivery workers write through the fences of deliveries.py; the webhook worker keeps
# webhook_deliveries' records): their state-machine tables are in these tests.
THROUGH_SERVICE_LAYER: dict[str, tuple[str, ...]] = {
    "deliveries": ("test_delivery_state_table.py", "test_delivery_worker.py"),
    "webhook_deliveries": ("test_webhook_delivery_table.py", "test_webhook_worker.py"),
    # Driven by the saga and return handlers, whose tests build the stack through fixtures.
    **{name: SAGA_TESTS for name in ("order_shipments", "order_views", "order_state")},
    **{name: RETURN_TESTS for name in ("order_lines", "order_returns", "return_events")},
    # The return state table is checked against tests/support/orders/returns_spec.py, which the
    # test reaches without importing the domain module.
    "returns": ("test_return_state_table.py",),
}


# Modules whose users include slow service-layer tests (tens of seconds per mutant): only the
# domain-level tests that state their rules run against their mutants. A mutant only those slow
# tests would kill is then counted as a survivor, so the score is a lower bound.
DOMAIN_TESTS_ONLY = {
    "messages": [
        "tests/unit/notifications/domain/test_message_table.py",
        "tests/unit/notifications/domain/test_messages.py",
        "tests/unit/notifications/domain/test_preferences.py",
        "tests/unit/notifications/domain/test_messages_edges.py",
        "tests/unit/notifications/domain/test_catalogue_order.py",
    ],
    "thank_you_card": [
        "tests/unit/notifications/domain/test_thank_you_card_rules.py",
        "tests/unit/notifications/adapters/test_thank_you_card.py",
    ],
}


def tests_for(module: str) -> list[str]:
    """Test files of the module's service that use it, or a domain module that imports it
    (property tests excepted)."""
    service, name = module.split(".")[1], module.rsplit(".", 1)[1]
    if name in DOMAIN_TESTS_ONLY:
        return DOMAIN_TESTS_ONLY[name]
    domain = ROOT / "services" / service / "domain"
    users = {name} | {
        p.stem for p in domain.glob("*.py")
        if any(f in p.read_text() for f in (f"from .{name} import", f"domain.{name} import",
                                             f"import {name}"))
    }  # fmt: skip
    found = []
    # rglob: the tests mirror the code (tests/unit/<svc>/domain/, service_layer/, ...).
    for test in sorted((ROOT / "tests" / "unit" / service).rglob("test_*.py")):
        if test.stem.endswith("_properties"):
            continue  # hypothesis: slow and unrepeatable per mutant (as in [tool.mutmut])
        text = test.read_text()
        if any(f"domain.{u} import" in text or f"domain import {u}" in text for u in users) or (
            test.name in THROUGH_SERVICE_LAYER.get(name, ())
        ):
            found.append(str(test.relative_to(ROOT)))
    return found
