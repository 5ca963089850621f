"""Benchmark rows and the report: every figure next to its baseline, target and conditions.

A row is a measured value, optionally a baseline measured in the same run (then the target
applies to the ratio value/baseline), a floor and a goal from issue 14's table, and the
conditions it was measured under: the generator's CPU share, the idle check and the load
average. The verdict says whether the figure counts at all before saying whether it meets.
"""

from __future__ import annotations

import functools
import json
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

GENERATOR_LIMIT = 0.5  # cores: a generator busier than this against the bare app is the limit


@dataclass
class Row:
    name: str
    unit: str
    value: float
    floor: float | None = None
    goal: float | None = None
    higher_is_better: bool = True  # False for latency, CPU, memory
    baseline: float | None = None  # when set, floor and goal apply to value / baseline
    baseline_name: str = ""
    target_on_ratio: bool = True  # False: the baseline is context, the target is absolute
    generator_cores: float | None = None  # the generator's CPU against the baseline run
    idle: str = "-"
    load: str = "-"
    invalid: str = ""  # why the figure does not count (generator-bound, quotes ran out, ...)
    loaded: bool = False  # measured while other work competed for the machine

    @property
    def ratio(self) -> float | None:
        if self.baseline is None:
            return None
        return self.value / self.baseline if self.baseline else 0.0

    @property
    def judged(self) -> float:
        """What the target applies to: the ratio when there is a baseline, else the value."""
        ratio = self.ratio
        return self.value if ratio is None or not self.target_on_ratio else ratio

    @property
    def verdict(self) -> str:
        return verdict(self.judged, self.floor, self.goal, self.higher_is_better,
                       self.invalid, self.loaded)  # fmt: skip


def verdict(judged: float, floor: float | None, goal: float | None, higher_is_better: bool,
            invalid: str = "", loaded: bool = False) -> str:  # fmt: skip
    """`INVALID` when the measurement does not count; otherwise goal / floor / MISSES, marked
    when the machine was loaded (such a figure is not a result, whatever it says)."""
    if invalid:
        return f"INVALID: {invalid}"
    if floor is None and goal is None:
        return "-"

    def holds(target: float | None) -> bool:
        if target is None:
            return False
        return judged >= target if higher_is_better else judged <= target

    word = "meets goal" if holds(goal) else "meets floor" if holds(floor) else "MISSES floor"
    if floor is None and not holds(goal):
        word = "MISSES goal"
    return f"{word} (loaded machine, not a result)" if loaded else word


def generator_bound(generator_cores: float | None, limit: float = GENERATOR_LIMIT) -> str:
    """The reason a baseline run does not count, or "" when the generator had room."""
    if generator_cores is not None and generator_cores > limit:
        return f"generator used {generator_cores:.2f} core (> {limit}) against the bare app"
    return ""


def progress(message: str) -> None:
    """A line on stderr while the run goes (the table comes at the end)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def target_text(row: Row) -> str:
    sign = ">=" if row.higher_is_better else "<="
    parts = [f"floor {sign} {_number(row.floor)}" if row.floor is not None else "",
             f"goal {sign} {_number(row.goal)}" if row.goal is not None else ""]  # fmt: skip
    return ", ".join(p for p in parts if p) or "-"


def machine() -> str:
    return (
        f"{platform.processor() or platform.machine()}, {psutil.cpu_count()} cores, "
        f"{psutil.virtual_memory().total // 2**30} GiB, {interpreter()}"
    )


_LOOP = compile(
    "import time\nstarted, total = time.process_time(), 0\n"
    "for i in range(10_000_000):\n    total += i\ncpu = time.process_time() - started\n",
    "<loop>",
    "exec",
)


def loop_cpu() -> float:
    """Seconds of CPU the plain loop takes now. On these VMs it moves with the host's load
    (0.51 and 0.66 s ten minutes apart in one session), and every CPU figure moves with it."""
    namespace: dict[str, float] = {}
    exec(_LOOP, namespace)  # at module level, as the figures in docs/benchmarks.md were taken
    return namespace["cpu"]


def speed_note(at_start: float, at_end: float) -> str:
    """The loop's CPU at the start and at the end of a run, and whether they differ by more
    than a tenth: then the machine ran at another speed for part of the run, and its CPU rows
    compare only with care (with each other, or with a run that saw the same speeds)."""
    note = (f"the loop of ten million additions: {at_start:.2f} s of CPU at the start of the "
            f"run, {at_end:.2f} s at the end")  # fmt: skip
    if abs(at_end - at_start) > 0.1 * min(at_start, at_end):
        note += "; THE MACHINE'S SPEED CHANGED during the run: compare its CPU rows with care"
    return note


@functools.cache
def interpreter() -> str:
    """Which CPython runs the stack (the venv's base interpreter), and how fast it is here.

    The same code used 14-29% less CPU per POST under wrk on an optimized build (PGO + LTO)
    than on a plain one, and machines of the same kind differ by half again: a figure is
    comparable with another only next to these."""
    base = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    loop = loop_cpu()
    return (
        f"Python {platform.python_version()} ({base}), "
        f"a loop of ten million additions in {loop:.2f} s of CPU"
    )


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.3f}"


def cells(row: Row) -> list[str]:
    """value, baseline, ratio, target, verdict, generator CPU, idle check, load average."""
    ratio = row.ratio
    return [
        row.name,
        f"{_number(row.value)} {row.unit}",
        f"{row.baseline_name}: {_number(row.baseline)} {row.unit}" if row.baseline else "-",
        f"{ratio:.3f}" if ratio is not None else "-",
        target_text(row),
        row.verdict,
        f"{row.generator_cores:.2f} core" if row.generator_cores is not None else "-",
        row.idle,
        row.load,
    ]


HEADERS = ("figure", "value", "baseline", "ratio", "target", "verdict", "generator CPU",
           "idle check", "load avg")  # fmt: skip


def report(rows: list[Row], notes: list[str], out_dir: Path | None = None) -> None:
    console = Console(width=max(Console().width, 200))
    table = Table(title=f"Concierge benchmarks ({machine()})")
    for col in HEADERS:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*cells(row))
    console.print(table)
    for note in notes:
        console.print(f"- {note}", highlight=False, soft_wrap=True)
    if out_dir is not None:
        write_results(rows, notes, out_dir)
        console.print(f"results written to {out_dir}/latest.md and latest.json", highlight=False)


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + " --- |" * len(HEADERS)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in cells(r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def write_results(rows: list[Row], notes: list[str], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "latest.md").write_text(
        f"Machine: {machine()}\n\n" + markdown(rows) + "\n" + "".join(f"- {n}\n" for n in notes)
    )
    data = [asdict(r) | {"ratio": r.ratio, "verdict": r.verdict} for r in rows]
    (out_dir / "latest.json").write_text(json.dumps({"rows": data, "notes": notes}, indent=1))
