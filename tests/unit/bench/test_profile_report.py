"""Reading py-spy's collapsed stacks: samples per process, start-up left out, heaviest frames."""

from __future__ import annotations

from bench.profile import parse_collapsed, top_frames

RAW = [
    'process 10:"python -m concierge_cli.main up";process 11:"python -m services.gateway";'
    "run (asyncio);handle (auth.py:120);decode (jwt/api_jwt.py:80) 30",
    'process 10:"python -m concierge_cli.main up";process 11:"python -m services.gateway";'
    "run (asyncio);handle (auth.py:120) 10",
    'process 10:"python -m concierge_cli.main up";process 11:"python -m services.gateway";'
    "<module> (app.py:1);_find_and_load (<frozen importlib._bootstrap>:1176) 500",
    'process 10:"python -m concierge_cli.main up";process 12:"python -m services.orders";'
    "run (asyncio);commit (db.py:70) 7",
]


def test_samples_are_grouped_by_the_innermost_process() -> None:
    by_pid = parse_collapsed(RAW)
    assert set(by_pid) == {11, 12}
    assert by_pid[12] == [(["run (asyncio)", "commit (db.py:70)"], 7)]


def test_start_up_imports_are_left_out_and_shares_are_of_the_rest() -> None:
    samples, lines = top_frames(parse_collapsed(RAW)[11])
    assert samples == 40
    assert lines[0] == "self  75.0%  total  75.0%  decode (jwt/api_jwt.py:80)"
    assert lines[1] == "self  25.0%  total 100.0%  handle (auth.py:120)"
    assert not any("_find_and_load" in line for line in lines)


def test_lines_that_are_not_stacks_are_ignored() -> None:
    assert parse_collapsed(["", "garbage", "a;b notanumber"]) == {}
