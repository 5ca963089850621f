"""`make mutation --keep --recheck` re-runs only a module's survivors: the verdicts of the mutants
it did not re-run must survive mutmut's rewrite of the results file, or a recheck would report
every earlier kill as "not run"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.mutation import run
from tools.mutation.recheck import keep_earlier_results

MODULE = "services.notifications.domain.webhook_figures"


def write_meta(codes: dict[str, int | None]) -> Path:
    path = run.work_dir(MODULE) / "mutants" / (MODULE.replace(".", "/") + ".py.meta")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"exit_code_by_key": codes, "durations_by_key": {}}))
    return path


def test_a_recheck_keeps_the_kills_it_did_not_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(run, "WORK_ROOT", tmp_path)
    earlier = {"m_1": 1, "m_2": 0, "m_3": 0, "m_4": 1}
    # what mutmut 3.8.1 leaves after re-running m_2 and m_3: m_2 now killed, m_3 still alive,
    # and the two it did not run blanked
    meta = write_meta({"m_1": None, "m_2": 1, "m_3": 0, "m_4": None})
    assert keep_earlier_results(meta, earlier)
    assert run._meta(MODULE) == {"m_1": 1, "m_2": 1, "m_3": 0, "m_4": 1}


def test_a_mutant_the_recheck_ran_keeps_its_new_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(run, "WORK_ROOT", tmp_path)
    meta = write_meta({"m_1": None, "m_2": 0})
    assert keep_earlier_results(meta, {"m_1": None, "m_2": 1})
    assert run._meta(MODULE) == {"m_1": None, "m_2": 0}


def test_a_larger_timeout_goes_into_the_scratch_config(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(run, "TIMEOUT_MULTIPLIER", "60")
    lines = run.narrowed_config(MODULE).splitlines()
    assert lines[lines.index("[tool.mutmut]") + 1] == "timeout_multiplier = 60.0"
    monkeypatch.setattr(run, "TIMEOUT_MULTIPLIER", None)
    assert "timeout_multiplier" not in run.narrowed_config(MODULE)
