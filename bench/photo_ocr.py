"""CPU per label photo, and the accuracy it buys, in one run (issue 16: <= 1 s median CPU).

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.photo_ocr [PHOTOS]   # default 300

Generates the photo set (tests/support/warranty/photo_set.py, seed 16), reads each photo with the
service's `RapidOcrReader` and judges it (check character), in this process. Prints the median and
p90 CPU time per photo (time.process_time: every thread of the process, ONNX Runtime's included,
which machine load inflates little), the median wall time (which load does inflate), the load
average before and after, and per tier the share decoded correctly plus the wrong codes accepted.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from tests.support.warranty.photo_set import Outcome, run

CPU_BUDGET_S = 1.0
FLOORS = {"easy": 0.95, "moderate": 0.95, "hard": 0.80, "cut": 1.0}


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def report(outcomes: list[Outcome]) -> list[str]:
    cpu = [o.cpu_s for o in outcomes]
    wall = [o.wall_s for o in outcomes]
    median = statistics.median(cpu)
    lines = [
        f"photos {len(outcomes)}  CPU per photo: median {median:.3f} s, p90 {_p90(cpu):.3f} s"
        f" (budget {CPU_BUDGET_S:.1f} s: {'met' if median <= CPU_BUDGET_S else 'NOT met'})",
        f"wall per photo: median {statistics.median(wall):.3f} s, p90 {_p90(wall):.3f} s",
    ]
    for tier, floor in FLOORS.items():
        mine = [o for o in outcomes if o.tier == tier]
        if mine:
            right = sum(o.right for o in mine)
            ok = "ok" if right / len(mine) >= floor else "BELOW FLOOR"
            label = "refused" if tier == "cut" else "decoded"
            lines.append(f"{tier:9} {label} {right}/{len(mine)} = {right / len(mine):.1%}"
                         f" (floor {floor:.0%}: {ok})")  # fmt: skip
    lines.append(f"wrong codes accepted: {sum(o.wrong for o in outcomes)} (must be 0)")
    return lines


def main() -> None:
    photos = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    load_before, started = os.getloadavg(), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    outcomes = run(photos)
    load_after = os.getloadavg()
    print(f"{started}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
          f"cores {os.cpu_count()}; load average (1/5/15 min) before "
          f"{'/'.join(f'{v:.1f}' for v in load_before)}, after "
          f"{'/'.join(f'{v:.1f}' for v in load_after)}")  # fmt: skip
    print("\n".join(report(outcomes)))


if __name__ == "__main__":
    main()
