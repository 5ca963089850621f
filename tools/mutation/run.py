"""`make mutation`: mutmut over every domain module, the table harness over their tables, and a
score per module.

mutmut runs in a scratch copy per module (var/mutation/work/<module>, ignored by git), niced and
with a bounded number of children: the machine is shared. Its config is pyproject.toml's
[tool.mutmut], narrowed in each copy to the one module and to the tests that use it (tests_for:
the unit tests of its service that import it, or a domain module that imports it; @given tests
left out), so each module takes minutes. The table harness (tables.py) runs the same tests. Survivors
are then sorted: a mutant that only changes the text of a message (a string literal with a
space in it, e.g. an error's wording) is reported apart, and those listed in accepted.toml
(equivalent mutants, each with its reason) are not counted. The score is
killed / (mutants - message-only - accepted).

    python -m tools.mutation.run                      # every domain module
    python -m tools.mutation.run labels policy saga   # some (by module name)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .properties import SUFFIX, expose_file
from .recheck import keep_earlier_results
from .selection import tests_for
from .survivors import message_only

ROOT = Path(__file__).resolve().parents[2]
WORK_ROOT = ROOT / "var" / "mutation" / "work"
REPORT = ROOT / "var" / "mutation" / "report.json"
ACCEPTED = Path(__file__).with_name("accepted.toml")
COPY = ("services", "shared", "concierge_cli", "tools", "tests", "pyproject.toml")
KILLED = {"killed", "timeout", "caught by type check"}
NICE = ("nice", "-n", "10")
# mutmut's wall-clock limit is (estimated test time + 1 s) x 15: on a loaded machine a slow run
# of a surviving mutant passes it and counts as a timeout (killed). A larger multiplier gives a
# verdict instead (MUTATION_TIMEOUT_MULTIPLIER=60).
TIMEOUT_MULTIPLIER = os.environ.get("MUTATION_TIMEOUT_MULTIPLIER")
RECHECKED = (0, 5, 33, None, 24, -24, 36, 152, 255)  # survived, no tests, not run, timeout


@dataclass
class ModuleScore:
    module: str  # services.warranty.domain.labels
    mutants: int = 0
    killed: int = 0
    not_run: int = 0  # mutmut never got to them (a run cut short)
    message_only: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    survivors: list[str] = field(default_factory=list)

    @property
    def counted(self) -> int:
        return self.mutants - self.not_run - len(self.message_only) - len(self.accepted)

    @property
    def score(self) -> float:
        return self.killed / self.counted if self.counted else 1.0


def domain_modules() -> list[str]:
    paths = sorted(ROOT.glob("services/*/domain/*.py"))
    return [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in paths
            if p.name != "__init__.py"]  # fmt: skip


def work_dir(module: str) -> Path:
    return WORK_ROOT / module


def prepare_workdir(module: str, fresh: bool) -> None:
    """Copy the code and tests into the module's scratch directory, with mutmut's config narrowed
    to the module and its tests; `fresh` drops mutmut's earlier results too (otherwise mutmut
    regenerates the mutants of changed files and keeps the rest)."""
    work = work_dir(module)
    if fresh:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.db", "*.db-*", ".hypothesis")
    for name in COPY:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=ignore, dirs_exist_ok=True)
        else:
            shutil.copy2(source, work / name)
    (work / "pyproject.toml").write_text(narrowed_config(module))
    path = module.replace(".", "/") + ".py"
    expose_file(ROOT / path, work / path)  # property getters, which mutmut skips


def narrowed_config(module: str) -> str:
    """pyproject.toml with [tool.mutmut] mutating `module` only, against the tests that use it."""
    text = (ROOT / "pyproject.toml").read_text()
    path = module.replace(".", "/") + ".py"
    selection = [*tests_for(module), "-m", "not hypothesis"]
    lines, out, skipping = text.splitlines(), [], False
    for line in lines:
        if skipping:
            skipping = not line.rstrip().endswith("]")
            continue
        if line.startswith("only_mutate ="):
            line = f"only_mutate = {json.dumps([path])}"
        elif line.startswith("[tool.mutmut]") and TIMEOUT_MULTIPLIER:
            line += f"\ntimeout_multiplier = {float(TIMEOUT_MULTIPLIER)}"
        elif line.startswith("pytest_add_cli_args_test_selection ="):
            skipping = not line.rstrip().endswith("]")
            line = f"pytest_add_cli_args_test_selection = {json.dumps(selection)}"
        out.append(line)
    return "\n".join(out) + "\n"


def _meta(module: str) -> dict[str, int | None]:
    path = work_dir(module) / "mutants" / (module.replace(".", "/") + ".py.meta")
    if not path.exists():
        return {}
    return json.loads(path.read_text())["exit_code_by_key"]


def run_mutmut(module: str, children: int, recheck: bool, properties: bool = False) -> None:
    """mutmut over one module; with `recheck`, only over its survivors of an earlier run; with
    `properties`, only over its property getters (the part mutmut could not reach before
    properties.py: a module measured earlier is completed without running it all again)."""
    mutmut = Path(sys.executable).with_name("mutmut")
    work = work_dir(module)
    generated = (work / "mutants").exists()
    if generated and not _meta(module):
        return  # no function to mutate (tables only: the harness covers it)
    if not tests_for(module):
        return  # no unit test uses it: every mutant is reported as not run
    names = [f"{module}.*{PROPERTY_MUTANT}*" if properties else f"{module}.*"]
    earlier = _meta(module)
    if recheck:
        # timeouts too: on a loaded machine a wall-clock timeout is often a slow run, not a kill
        names = [name for name, code in earlier.items() if code in RECHECKED
                 and (not properties or PROPERTY_MUTANT in name)]  # fmt: skip
        if not names:
            return
    cmd = [*NICE, str(mutmut), "run", "--max-children", str(children), *names]
    log = work / "mutmut.log"
    with log.open("w") as out:
        done = subprocess.run(cmd, cwd=work, stdout=out, stderr=subprocess.STDOUT, check=False)
    if properties and "nothing matches" in log.read_text():
        return  # no getter with anything to mutate (a getter returning an attribute, say)
    if done.returncode != 0 and _meta(module):
        raise RuntimeError(f"mutmut failed on {module}: see {log}")
    if recheck:  # mutmut dropped the earlier results if its narrowed config changed
        keep_earlier_results(work / "mutants" / (module.replace(".", "/") + ".py.meta"), earlier)


def score_mutmut(module: str, score: ModuleScore, accepted: dict[str, str],
                 properties: bool = False) -> None:  # fmt: skip
    from mutmut.stats import status_by_exit_code

    source = work_dir(module) / "mutants" / (module.replace(".", "/") + ".py")
    for name, code in sorted(_meta(module).items()):
        if properties and PROPERTY_MUTANT not in name:
            continue
        score.mutants += 1
        if code is None:
            score.not_run += 1
        elif status_by_exit_code[code] in KILLED:
            score.killed += 1
        elif name in accepted:
            score.accepted.append(name)
        elif message_only(source, name):
            score.message_only.append(name)
        else:
            score.survivors.append(f"{name} ({status_by_exit_code[code]})")


PROPERTY_MUTANT = f"{SUFFIX}__mutmut_"  # in the names of a property getter's mutants


# A table harness change to a string holding prose (a space in it: a description shown to a
# person), never a code or key: message-only, like mutmut's (survivors.py).
PROSE_CHANGE = re.compile(r" '[^']* [^']*' (-> '[^']*'|reversed)$")


def run_tables(module: str, score: ModuleScore, accepted: dict[str, str]) -> None:
    from .tables import table_mutants

    tests = tests_for(module)
    if not table_mutants(module) or not tests:
        return
    report = work_dir(module) / "tables.json"
    cmd = [*NICE, sys.executable, "-m", "tools.mutation.tables", module, "--report", str(report),
           "--tests", *tests]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    result = json.loads(report.read_text())
    score.mutants += result["total"]
    score.killed += result["killed"]
    for survivor in (f"table {name}" for name in result["survivors"]):
        if survivor in accepted:
            score.accepted.append(survivor)
        elif PROSE_CHANGE.search(survivor):
            score.message_only.append(survivor)  # as for mutmut: a text with a space in it
        else:
            score.survivors.append(survivor)


def print_scores(scores: list[ModuleScore]) -> None:
    print(f"{'module':44} {'mutants':>7} {'not run':>7} {'killed':>6} {'text':>5} {'accept':>6} "
          f"{'score':>6}")  # fmt: skip
    for s in scores:
        print(f"{s.module:44} {s.mutants:7} {s.not_run:7} {s.killed:6} {len(s.message_only):5} "
              f"{len(s.accepted):6} {s.score:6.1%}")  # fmt: skip
    for s in scores:
        for survivor in s.survivors:
            print(f"  survived: {survivor}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mutation scores of the domain modules.")
    parser.add_argument("modules", nargs="*", help="module names (default: every domain module)")
    parser.add_argument("--children", type=int, default=1, help="mutmut worker processes")
    parser.add_argument("--floor", type=float, default=0.9)
    parser.add_argument("--keep", action="store_true", help="keep earlier mutmut results")
    parser.add_argument(
        "--score-only",
        action="store_true",
        help="score the results in var/mutation/work without running anything",
    )
    parser.add_argument("--properties", action="store_true",
                        help="only the property getters' mutants (scored on their own)")  # fmt: skip
    parser.add_argument("--recheck", action="store_true",
                        help="with --keep: run mutmut again on the earlier survivors and timeouts only")  # fmt: skip
    args = parser.parse_args(argv)
    # a name, or a dotted tail: "reference" is both services' reference.py, "warranty.domain.reference" one
    modules = [m for m in domain_modules()
               if not args.modules or any(m.endswith("." + a) for a in args.modules)]  # fmt: skip
    sections = tomllib.loads(ACCEPTED.read_text())
    accepted = {name: why for section in sections.values() for name, why in section.items()}
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    scores = []
    for module in modules:
        print(f"mutating {module} ...", flush=True)
        score = ModuleScore(module)
        if not args.score_only:
            prepare_workdir(module, fresh=not args.keep)
            run_mutmut(module, args.children, args.recheck and args.keep, args.properties)
        score_mutmut(module, score, accepted, args.properties)
        if not args.score_only and not args.properties:
            run_tables(module, score, accepted)
        scores.append(score)
    print_scores(scores)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps([s.__dict__ | {"score": s.score} for s in scores], indent=2))
    below = [s.module for s in scores if s.mutants and s.score < args.floor]
    if below:
        print(f"below the floor of {args.floor:.0%}: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    raise SystemExit(main())
