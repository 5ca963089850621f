"""The order path's curve: one table row per offered rate, and a PNG plot."""

from __future__ import annotations

from pathlib import Path

from bench.curve import CurvePoint, plot, table


def _point(offered: float, achieved: float, p99: float) -> CurvePoint:
    return CurvePoint(offered, achieved, p99 / 3, p99, int(achieved * 10), 0, 20.0, 0.1,
                      "stack idle after 3 s", "0.5/0.5/0.5")  # fmt: skip


def test_the_table_has_a_row_per_rate() -> None:
    lines = table([_point(25, 25, 30), _point(150, 80, 2000)]).splitlines()
    assert len(lines) == 4
    assert lines[2].startswith("| 25 | 25.0 |") and lines[3].startswith("| 150 | 80.0 |")


def test_the_plot_is_written_as_png(tmp_path: Path) -> None:
    path = plot([_point(25, 25, 30), _point(50, 49, 60)], tmp_path / "c.png", "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
