"""The bench's note on the machine's speed (bench/harness.py `speed_note`)."""

from __future__ import annotations

from bench.harness import speed_note


def test_a_run_whose_loop_slowed_by_more_than_a_tenth_is_flagged():
    note = speed_note(0.51, 0.66)
    assert "0.51 s of CPU at the start" in note and "0.66 s at the end" in note
    assert "SPEED CHANGED" in note


def test_a_run_whose_loop_sped_up_by_more_than_a_tenth_is_flagged():
    assert "SPEED CHANGED" in speed_note(0.66, 0.51)


def test_a_run_at_a_steady_speed_is_not_flagged():
    assert "SPEED CHANGED" not in speed_note(0.51, 0.55)
