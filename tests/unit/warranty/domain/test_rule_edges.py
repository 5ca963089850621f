"""Edges of the turnaround, first-verdict and abuse rules that the story tests do not reach."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.warranty.domain.abuse import PriorClaim, screen_new_claim
from services.warranty.domain.errors import ClaimAlreadyOpen
from services.warranty.domain.policy import assess_defect, check_coverage
from services.warranty.domain.rma import NoRepairCentre, issue_rma, rma_number
from services.warranty.domain.sla import SlaStatus, Timings, sla_due, sla_status
from services.warranty.domain.verdict import Outcome, decide
from tests.support.warranty.dates import NOW, TODAY

DAY = timedelta(days=1)


def test_the_due_times_of_an_arrival():
    due = sla_due(NOW)
    assert (due.received_at, due.at_risk_at, due.breached_at) == (NOW, NOW + 5 * DAY, NOW + 7 * DAY)


def test_shipped_back_at_the_seventh_day_is_late():
    # "breached after 7 days", and a claim is breached from that instant on (sla_status of an
    # unshipped item): shipping at that same instant misses the promise too.
    assert sla_status(NOW, NOW, shipped_at=NOW + 7 * DAY - timedelta(seconds=1)) is SlaStatus.MET
    assert sla_status(NOW, NOW, shipped_at=NOW + 7 * DAY) is SlaStatus.MISSED
    assert sla_status(NOW, NOW + 7 * DAY) is SlaStatus.BREACHED


def test_compressed_timings_are_honoured():
    fast = Timings(at_risk_after=timedelta(hours=1), breach_after=timedelta(hours=2))
    assert sla_status(NOW, NOW + timedelta(minutes=59), timings=fast) is SlaStatus.ON_TRACK
    assert sla_status(NOW, NOW + timedelta(hours=1), timings=fast) is SlaStatus.AT_RISK
    assert sla_status(NOW, NOW + timedelta(hours=2), timings=fast) is SlaStatus.BREACHED
    late = NOW + timedelta(hours=3)
    assert sla_status(NOW, late, shipped_at=late, timings=fast) is SlaStatus.MISSED


def test_a_verdict_carries_the_last_covered_day(policy):
    coverage = check_coverage(policy, category="handbag", region="US", today=TODAY,
                              purchase_date=date(2026, 1, 10))  # fmt: skip
    verdict = decide(coverage, assess_defect(policy, ["handles"]))
    assert verdict.outcome is Outcome.APPROVE
    assert verdict.decision.coverage_end == date(2028, 1, 9)


def test_an_open_claim_on_the_item_is_named():
    prior = [PriorClaim("clm-1", "cust-1", NOW - 3 * DAY, open=True, cancelled=False)]
    with pytest.raises(ClaimAlreadyOpen) as exc:
        screen_new_claim(item_key="label:SD2551VT0200120Z", customer_id="cust-1", prior=prior,
                         now=NOW)  # fmt: skip
    assert exc.value.details == {"item_key": "label:SD2551VT0200120Z", "claim_id": "clm-1"}


@pytest.mark.parametrize(
    ("age", "flagged"), [(365 * DAY, False), (365 * DAY - timedelta(seconds=1), True)]
)
def test_more_than_two_claims_within_a_year(age, flagged):
    # Two earlier claims, the older one `age` ago: with the new one that makes three in a year
    # only while the older one is less than a year old.
    prior = [
        PriorClaim("clm-1", "cust-1", NOW - age, open=False),
        PriorClaim("clm-2", "cust-1", NOW - 30 * DAY, open=False),
    ]
    flags = screen_new_claim(item_key="label:X", customer_id="cust-1", prior=prior, now=NOW)
    assert [f.rule for f in flags] == (["too_many_claims_in_year"] if flagged else [])


def _rma(catalogue, region="US"):
    return issue_rma(claim_id="clm-9", region=region, repair_centres=catalogue.repair_centres,
                     issued_at=NOW, entropy=b"\x01\x02\x03\x04")  # fmt: skip


def test_an_rma_names_its_claim_and_stops_reminding_once_expired(catalogue):
    rma = _rma(catalogue)
    assert rma.claim_id == "clm-9"
    assert rma.expires_at == NOW + 30 * DAY and rma.reminder_due_at == NOW + 25 * DAY
    assert rma.reminder_due(rma.expires_at - timedelta(seconds=1))
    assert not rma.reminder_due(rma.expires_at) and rma.is_expired(rma.expires_at)


def test_only_the_first_four_bytes_of_entropy_make_the_rma_number():
    four = rma_number(TODAY, b"\x01\x02\x03\x04")
    assert rma_number(TODAY, b"\x01\x02\x03\x04\xff\xee") == four
    assert four.startswith("RMA-20261123-") and len(four) == len("RMA-20261123-") + 6


def test_a_region_without_a_repair_centre_is_named(catalogue):
    with pytest.raises(NoRepairCentre) as exc:
        _rma(catalogue, region="CA")
    assert exc.value.details == {"region": "CA", "regions": sorted(catalogue.repair_centres)}
