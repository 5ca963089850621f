"""Verdicts: a figure counts only when measured validly, and is judged against floor and goal."""

from __future__ import annotations

from bench.harness import Row, generator_bound, markdown, verdict
from bench.http_bench import invalid_reason
from bench.wrk import WrkResult


def test_higher_is_better_is_judged_against_goal_then_floor() -> None:
    assert verdict(0.40, 0.15, 0.35, True) == "meets goal"
    assert verdict(0.20, 0.15, 0.35, True) == "meets floor"
    assert verdict(0.10, 0.15, 0.35, True) == "MISSES floor"


def test_lower_is_better_is_judged_against_goal_then_floor() -> None:
    assert verdict(50.0, 150.0, 60.0, False) == "meets goal"
    assert verdict(100.0, 150.0, 60.0, False) == "meets floor"
    assert verdict(772.0, 150.0, 60.0, False) == "MISSES floor"


def test_an_invalid_measurement_has_no_verdict_on_its_value() -> None:
    assert verdict(0.9, 0.15, 0.35, True, invalid="generator-bound") == "INVALID: generator-bound"


def test_a_figure_from_a_loaded_machine_says_it_is_not_a_result() -> None:
    assert (
        verdict(0.4, 0.15, 0.35, True, loaded=True) == "meets goal (loaded machine, not a result)"
    )


def test_a_row_without_targets_has_no_verdict() -> None:
    assert verdict(1.0, None, None, True) == "-"


def test_a_generator_using_more_than_half_a_core_invalidates_the_baseline() -> None:
    assert generator_bound(0.51) != ""
    assert generator_bound(0.5) == ""
    assert generator_bound(None) == ""


def test_a_ratio_row_is_judged_on_its_ratio() -> None:
    row = Row("GET", "req/s", 350.0, floor=0.15, goal=0.35, baseline=5000.0, baseline_name="bare")
    assert row.ratio == 0.07
    assert row.verdict == "MISSES floor"


def test_an_absolute_target_ignores_the_context_baseline() -> None:
    row = Row("CPU per order", "ms", 6.0, floor=8.0, goal=4.0, higher_is_better=False,
              baseline=0.5, target_on_ratio=False)  # fmt: skip
    assert row.ratio == 12.0
    assert row.verdict == "meets floor"


def test_markdown_has_every_column_the_issue_asks_for() -> None:
    row = Row("GET", "req/s", 350.0, floor=0.15, goal=0.35, baseline=5000.0, baseline_name="bare",
              generator_cores=0.12, idle="stack idle after 3 s", load="0.3/0.4/0.5")  # fmt: skip
    head, _, line = markdown([row]).splitlines()
    for column in ("value", "baseline", "ratio", "target", "verdict", "generator CPU",
                   "idle check", "load avg"):  # fmt: skip
        assert column in head
    assert "0.070" in line and "0.12 core" in line and "0.3/0.4/0.5" in line


def _wrk(
    requests: int = 1000, non_2xx: int = 0, exhausted: int = 0, cores: float = 0.1
) -> WrkResult:
    return WrkResult(requests, 8.0, non_2xx, 0, 1.0, 2.0, exhausted, cores)


def test_a_pair_measured_cleanly_is_valid() -> None:
    assert invalid_reason(_wrk(), _wrk(40_000)) == ""


def test_a_gateway_that_ran_out_of_quotes_makes_no_figure() -> None:
    assert "quote" in invalid_reason(_wrk(exhausted=1), _wrk(40_000))


def test_errors_beyond_the_last_in_flight_requests_make_no_figure() -> None:
    assert invalid_reason(_wrk(1000, non_2xx=30), _wrk(40_000)) == ""  # the cut-off's in-flight
    assert "non-2xx" in invalid_reason(_wrk(1000, non_2xx=300), _wrk(40_000))


def test_a_generator_bound_baseline_makes_no_figure() -> None:
    assert "generator" in invalid_reason(_wrk(), _wrk(40_000, cores=0.8))
