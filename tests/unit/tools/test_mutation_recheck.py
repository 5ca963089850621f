"""A recheck keeps the first run's kills of the mutants it did not re-run."""

from __future__ import annotations

import json
from pathlib import Path

from tools.mutation.recheck import keep_earlier_results


def _meta(tmp_path: Path, codes: dict[str, int | None]) -> Path:
    path = tmp_path / "m.py.meta"
    path.write_text(json.dumps({"exit_code_by_key": codes, "other": 1}))
    return path


def test_the_earlier_kills_come_back_and_the_recheck_results_stand(tmp_path: Path) -> None:
    meta = _meta(tmp_path, {"m.a": None, "m.b": 1, "m.c": None})
    assert keep_earlier_results(meta, {"m.a": 1, "m.b": 0, "m.c": None})
    data = json.loads(meta.read_text())
    assert data["exit_code_by_key"] == {"m.a": 1, "m.b": 1, "m.c": None}
    assert data["other"] == 1


def test_nothing_is_put_back_when_the_mutants_changed(tmp_path: Path) -> None:
    meta = _meta(tmp_path, {"m.a": None, "m.d": 1})
    assert not keep_earlier_results(meta, {"m.a": 1, "m.b": 1})
    assert json.loads(meta.read_text())["exit_code_by_key"] == {"m.a": None, "m.d": 1}
