"""The claim lifecycle, written out from the published policy: every (status, action) pair.

The expected outcomes below are the spec (warranty-policy.md: decision, RMA valid 30 days then
lapse, item received, inspection, repair or replace or store credit, shipped back, delivered),
typed out by hand. They are deliberately NOT derived from `claim_states.TRANSITIONS`, so a
widened or narrowed table in the code fails here. Each row names all fourteen actions: the
allowed ones with the status they lead to, the rest as refused.
"""

from __future__ import annotations

import pytest

from services.warranty.domain.claims import ClaimStatus
from tests.support.warranty.claim_spec import (
    PAIRS,
    SPEC,
    check_open_and_terminal,
    check_pair,
    check_spec_table,
    check_turnaround_clock,
    claim_in,
)


def test_the_spec_table_names_every_status_and_every_action_once():
    check_spec_table()


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_status_and_action(status, action, catalogue):
    check_pair(status, action, catalogue)


def test_allowed_actions_per_status_match_the_spec(catalogue):
    for status, (allowed, _refused) in SPEC.items():
        assert sorted(claim_in(status, catalogue).allowed_actions()) == sorted(allowed), status


@pytest.mark.parametrize("status", list(ClaimStatus))
def test_open_and_terminal_statuses(status, catalogue):
    check_open_and_terminal(status, catalogue)


@pytest.mark.parametrize("status", list(ClaimStatus))
def test_the_turnaround_clock_runs_only_at_the_repair_centre(status, catalogue):
    check_turnaround_clock(status, catalogue)
