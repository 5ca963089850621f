"""Two versions of the notifications apply path, alternated: `python -m bench.cpu_notif_ab`.

Runs `bench.notifications_apply` (one round each) in worktree A, then B, then A... `--pairs`
times with the same recorded events, so both see the same moments of a shared machine's load,
and prints each side's CPU per event (every round, the lowest, the median) and the load average
before and after. Each worktree runs with its own venv (`<tree>/.venv/bin/python`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

from bench.cpu_notifications import EVENTS


def one_run(tree: Path, group: int, events: Path) -> float:
    out = subprocess.run(
        [str(tree / ".venv/bin/python"), "-m", "bench.notifications_apply", "--group", str(group),
         "--rounds", "1", "--events", str(events)],
        cwd=tree, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(json.loads(out.stdout)["cpu_ms_per_event"][0])


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("a", type=Path, help="worktree A (the base)")
    parser.add_argument("b", type=Path, help="worktree B (the change)")
    parser.add_argument("--group", type=int, default=1, help="0: the recorded bursts")
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--events", type=Path, default=EVENTS)
    a = parser.parse_args()
    runs: dict[str, list[float]] = {"A": [], "B": []}
    started, load_before = time.strftime("%H:%M:%S", time.gmtime()), load()
    for _ in range(a.pairs):
        runs["A"].append(one_run(a.a, a.group, a.events))
        runs["B"].append(one_run(a.b, a.group, a.events))
    ended = time.strftime("%H:%M:%S", time.gmtime())
    print(json.dumps({
        "utc": f"{started}-{ended}", "load": f"{load_before}-{load()}", "group": a.group,
        **{side: {"rounds": [round(v, 3) for v in vs], "min": round(min(vs), 3),
                  "median": round(statistics.median(vs), 3)} for side, vs in runs.items()},
        "median_change": f"{100 * (statistics.median(runs['B']) / statistics.median(runs['A']) - 1):+.1f}%",
    }))  # fmt: skip


if __name__ == "__main__":
    main()
