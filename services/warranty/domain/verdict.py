"""The first decision on a submitted claim: approve, reject, or hand to an agent."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .abuse import ReviewFlag
from .claims import Decision
from .policy import CoverageDecision, DefectAssessment, Rule


class Outcome(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REVIEW = "review"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    decision: Decision
    review_reasons: tuple[str, ...] = ()
    review_codes: tuple[str, ...] = ()


def reason_codes(coverage: CoverageDecision, defect: DefectAssessment) -> tuple[str, ...]:
    """The rules that applied, in the order of the reasons: where coverage started, the regional
    floor if it applied, the term's outcome, then the defect's."""
    codes = [coverage.start_rule]
    if coverage.floor_applied:
        codes.append(str(Rule.REGIONAL_FLOOR))
    codes += [coverage.rule, defect.rule]
    return tuple(dict.fromkeys(codes))


def decide(
    coverage: CoverageDecision, defect: DefectAssessment, flags: tuple[ReviewFlag, ...] = ()
) -> Verdict:
    """Abuse flags win (an agent decides); then the coverage term; then the defect itself."""
    reasons = coverage.reasons + defect.reasons
    if not coverage.covered:
        rule = coverage.rule
    elif not defect.covered:
        rule = defect.rule
    else:
        rule = coverage.rule
    covered = coverage.covered and defect.covered
    decision = Decision(covered, rule, coverage.policy_version, reasons, coverage.coverage_end,
                        reason_codes=reason_codes(coverage, defect))  # fmt: skip
    if flags:
        return Verdict(Outcome.REVIEW, decision, tuple(f.reason for f in flags),
                       tuple(f.rule for f in flags))  # fmt: skip
    return Verdict(Outcome.APPROVE if covered else Outcome.REJECT, decision)
