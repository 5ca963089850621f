"""The bounded mutation run that CI does: every one-step change of the claim, order-saga and
return transition tables must break the spec tables (tests/unit/*/test_*_state_table.py).

A widened table (an action allowed from one more status), a narrowed one, a move to another
status, a renamed event, a status made terminal or not: each is applied by the table harness
(tools/mutation/tables.py), then every (status, action) pair of the spec is checked directly
(no pytest run per mutant, so the whole sweep takes seconds). The floor is every mutant killed.
`make mutation` runs the full harness and mutmut over every domain module.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.orders.adapters.reference_data import load_reference_data
from services.orders.domain.quotes import create_quote
from services.orders.domain.saga import OrderStatus
from services.warranty.adapters.reference_data import load_catalogue
from services.warranty.domain.claim_states import ClaimStatus
from tests.support.orders import returns_spec, saga_spec
from tests.support.warranty import claim_spec
from tools.mutation.tables import TableMutant, applied, table_mutants

FLOOR = 1.0  # every mutant killed, but the equivalent ones named in accepted.toml
EQUIVALENT = {
    name.removeprefix("table ")
    for section in tomllib.loads(
        (Path(__file__).parents[2] / "tools" / "mutation" / "accepted.toml").read_text()
    ).values()
    for name in section
    if name.startswith("table ")
}
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def claims_hold_to_spec() -> None:
    catalogue = load_catalogue()
    claim_spec.check_spec_table()
    for status, action in claim_spec.PAIRS:
        claim_spec.check_pair(status, action, catalogue)
    for status in ClaimStatus:
        claim_spec.check_open_and_terminal(status, catalogue)
        claim_spec.check_turnaround_clock(status, catalogue)


def saga_holds_to_spec() -> None:
    ref = load_reference_data()
    quote = create_quote(ref, quote_id="q-1", style="TC11", region="UK", quantity=1, now=NOW,
                         customer_id="c-1")  # fmt: skip
    saga_spec.check_spec_table_is_complete()
    for status, action in saga_spec.PAIRS:
        saga_spec.check_pair(status, action, quote, NOW)
    for status in OrderStatus:
        saga_spec.check_status(status, quote, NOW)
    saga_spec.check_code_table_has_no_move_the_spec_lacks()


def returns_hold_to_spec() -> None:
    returns_spec.check_spec_table_is_complete()
    for status, trigger in returns_spec.PAIRS:
        returns_spec.check_pair(status, trigger)


def killed(mutant: TableMutant, spec: Callable[[], None]) -> bool:
    with applied(mutant):
        try:
            spec()
        except (Exception, pytest.fail.Exception):
            return True
    return False


MACHINES = {
    "claims": (
        "services.warranty.domain.claim_states",
        {"TRANSITIONS", "TERMINAL", "SLA_RUNNING", "SYSTEM"},
        claims_hold_to_spec,
    ),
    "order_saga": (
        "services.orders.domain.saga",
        {"TRANSITIONS", "_UNDOABLE", "NEXT_STEP", "SHIPMENT_MAY_BE_BOOKED"},
        saga_holds_to_spec,
    ),
    "returns": (
        "services.orders.domain.returns",
        {"RETURN_TRANSITIONS", "ALREADY_DONE"},
        returns_hold_to_spec,
    ),
}


@pytest.mark.parametrize("machine", list(MACHINES))
def test_every_change_to_the_transition_tables_is_caught(machine):
    module, tables, spec = MACHINES[machine]
    spec()  # the unmutated code holds to the spec
    mutants = [
        m for m in table_mutants(module, tables) if f"{m.table} {m.change}" not in EQUIVALENT
    ]
    assert len(mutants) > 50
    survivors = [f"{m.table} {m.change}" for m in mutants if not killed(m, spec)]
    score = 1 - len(survivors) / len(mutants)
    assert score >= FLOOR, f"{len(survivors)} of {len(mutants)} survived: {survivors}"
