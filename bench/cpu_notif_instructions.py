"""Instructions per event of the notifications apply path, under valgrind:
`python -m bench.cpu_notif_instructions TREE [TREE...] --group 16`.

On a shared machine CPU time moves by a third from run to run; an instruction count does not.
For each worktree (its own venv) it runs `bench.notifications_apply --rounds 1` under
`valgrind --tool=cachegrind` twice: on the recorded events, and on their first groups only
(the warm-up and one more group). The difference is the instructions of the measured groups
alone (start-up, imports, migrations and warm-up cancel out), printed per event. About two
minutes of CPU per run; the trees run one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from bench.cpu_notifications import EVENTS
from bench.notifications_apply import WARM_GROUPS


def instructions(tree: Path, events: Path, group: int) -> tuple[int, int]:
    """(instructions of the whole run, events measured)."""
    with tempfile.TemporaryDirectory(prefix="concierge-cg-") as tmp:
        out = subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no",
             f"--cachegrind-out-file={tmp}/cg.out", str(tree / ".venv/bin/python"), "-m",
             "bench.notifications_apply", "--group", str(group), "--rounds", "1",
             "--events", str(events)],
            cwd=tree, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )  # fmt: skip
    refs = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    assert refs is not None, out.stderr[-2000:]
    return int(refs.group(1).replace(",", "")), int(json.loads(out.stdout)["events"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("trees", type=Path, nargs="+")
    parser.add_argument("--group", type=int, default=16, help="0 is not supported here")
    parser.add_argument("--events", type=Path, default=EVENTS)
    a = parser.parse_args()
    lines = a.events.read_text().splitlines(keepends=True)
    with tempfile.TemporaryDirectory(prefix="concierge-cg-events-") as tmp:
        head = Path(tmp) / "head.jsonl"
        head.write_text("".join(lines[: (WARM_GROUPS + 1) * a.group]))
        for tree in a.trees:
            full, n_full = instructions(tree, a.events, a.group)
            part, n_part = instructions(tree, head, a.group)
            print(json.dumps({"tree": str(tree), "group": a.group, "events": n_full - n_part,
                              "instructions_per_event": round((full - part) / (n_full - n_part))}),
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
