"""Reading wrk's report: request counts, errors, latency percentiles and units."""

from __future__ import annotations

import pytest

from bench import wrk

REPORT = """Running 2s test @ http://127.0.0.1:18765/v1/claims/abc
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.27ms    3.55ms  67.62ms   95.96%
    Req/Sec     4.08k   717.08     6.09k    72.50%
  Latency Distribution
     50%    3.73ms
     75%    4.47ms
     90%    5.97ms
     99%   19.27ms
  16284 requests in 2.01s, 2.36MB read
Requests/sec:   8094.74
Transfer/sec:      1.17MB
"""

WITH_ERRORS = """Running 8s test @ http://127.0.0.1:1/v1/orders
  2 threads and 32 connections
  Latency Distribution
     50%  850.00us
     75%    1.00ms
     90%    1.20ms
     99%    1.02s
  1000 requests in 8.00s, 1.49MB read
  Socket errors: connect 1, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 40
Requests/sec:    125.00
bench: exhausted_threads=1
""".replace("1.02s", "1.02s ")  # wrk pads some figures with a space


def test_a_clean_report_gives_count_window_and_percentiles() -> None:
    r = wrk.parse(REPORT)
    assert (r.requests, r.seconds, r.non_2xx, r.socket_errors) == (16284, 2.01, 0, 0)
    assert (r.p50_ms, r.p99_ms) == (3.73, 19.27)
    assert r.ok_rate == pytest.approx(16284 / 2.01)


def test_errors_never_count_as_throughput() -> None:
    r = wrk.parse(WITH_ERRORS)
    assert (r.non_2xx, r.socket_errors, r.exhausted_threads) == (40, 6, 1)
    assert r.ok == 960
    assert r.ok_rate == pytest.approx(120.0)


def test_latencies_in_microseconds_and_seconds_are_converted_to_ms_despite_padding() -> None:
    r = wrk.parse(WITH_ERRORS)
    assert r.p50_ms == pytest.approx(0.85)
    assert r.p99_ms == pytest.approx(1020.0)


@pytest.mark.parametrize(
    ("text", "ms"), [("850.00us", 0.85), ("3.73ms", 3.73), ("1.02s", 1020.0), ("2.00m", 120_000.0)]
)
def test_wrk_durations(text: str, ms: float) -> None:
    assert wrk.duration_ms(text) == pytest.approx(ms)


def test_a_report_without_latency_distribution_is_refused() -> None:
    without = "\n".join(line for line in REPORT.splitlines() if "%" not in line or "Stdev" in line)
    with pytest.raises(ValueError, match="--latency"):
        wrk.parse(without)


def test_output_that_is_not_a_report_is_refused() -> None:
    with pytest.raises(ValueError, match="request count"):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused")


def test_the_orders_command_runs_the_lua_script_with_its_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wrk.shutil, "which", lambda _: "/usr/bin/wrk")
    cmd = wrk.command("http://h/v1/orders", 8, {}, ["q.txt", "tok", "p", "2"])
    assert cmd[:6] == ["/usr/bin/wrk", "-t2", "-c32", "-d8s", "--latency", "--timeout"]
    assert cmd[-7:] == ["-s", str(wrk.ORDERS_SCRIPT), "http://h/v1/orders", "--", "q.txt",
                        "tok", "p", "2"][-7:]  # fmt: skip


def test_a_missing_wrk_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wrk.shutil, "which", lambda _: None)
    with pytest.raises(wrk.WrkMissing, match="apt-get install wrk"):
        wrk.wrk_binary()
