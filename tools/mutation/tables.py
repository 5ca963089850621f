"""Mutation testing of module-level tables, which mutmut leaves alone (it mutates functions only).

For every UPPER_CASE constant a domain module defines that holds data (a dict, set, tuple,
range, number, short code, or a frozen dataclass such as a transition `Move`), each one-step
change of variants.py is tried in turn. The change is bound wherever the original is (the module,
its importers, default arguments), the tables the module computes from it are recomputed, the
tests run in this process (pytest.main), and everything is put back. A mutant whose tests still
pass survived.

    python -m tools.mutation.tables services.orders.domain.saga --tests tests/unit/orders
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import enum
import importlib
import io
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

import pytest

from .variants import Make, variants

# @given tests are left out, as in mutmut's runs (run.py): slow, and unrepeatable per mutant.
PYTEST_ARGS = ("-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--no-header",
               "-m", "not hypothesis")  # fmt: skip


@dataclass(frozen=True)
class TableMutant:
    table: str  # module.NAME
    change: str  # what was changed, e.g. "['approve'].sources + received"
    make: Make  # original value -> mutated value


def is_table(name: str, value: Any) -> bool:
    """UPPER_CASE module constants that hold data (not classes, enums, functions, or types)."""
    bare = name.lstrip("_")
    if not bare or bare != bare.upper() or not any(c.isalpha() for c in bare):
        return False
    if isinstance(value, type | enum.Enum) or callable(value):
        return False
    return any(True for _ in variants(value))


def _assignments(module: ModuleType) -> list[tuple[list[str], ast.stmt]]:
    """The module's own top-level assignments, in order: (names bound, statement)."""
    if not module.__file__:
        return []
    with open(module.__file__, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    found: list[tuple[list[str], ast.stmt]] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets = [n.id for t in stmt.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets = [stmt.target.id] if isinstance(stmt.target, ast.Name) else []
        else:
            continue
        found.append((targets, stmt))
    return found


def _derived(stmt: ast.stmt, module: ModuleType) -> bool:
    """A table computed from others (a comprehension, or a call of the module's own function):
    its sources are mutated instead, and it is recomputed from them."""
    value = getattr(stmt, "value", None)
    for node in ast.walk(value) if value is not None else ():
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            func = getattr(module, node.func.id, None)
            if isinstance(func, FunctionType) and func.__module__ == module.__name__:
                return True
    return False


def table_mutants(module_name: str, only: set[str] | None = None) -> list[TableMutant]:
    """Every one-step change of every table the module itself defines (not those it imports)."""
    module = importlib.import_module(module_name)
    found = []
    for names, stmt in _assignments(module):
        if _derived(stmt, module):
            continue
        for name in names:
            value = getattr(module, name, None)
            if (only is None or name in only) and is_table(name, value):
                for desc, make in variants(value):
                    found.append(TableMutant(f"{module_name}.{name}", desc.strip(), make))
    return found


def _holders(original: Any, name: str) -> list[tuple[ModuleType, str]]:
    """Every (module, name) that binds `original`: the defining module and its importers.
    Numbers and strings may be shared objects (2 is 2), so for them the name must match too."""
    shared = isinstance(original, int | float | str)
    return [
        (m, attr)
        for m in list(sys.modules.values())
        if isinstance(m, ModuleType)
        for attr, value in list(vars(m).items())
        if value is original and (attr == name or not shared)
    ]


def _functions_of(module: ModuleType) -> Iterator[FunctionType]:
    for value in list(vars(module).values()):
        if isinstance(value, FunctionType):
            yield value
        elif isinstance(value, type) and value.__module__ == module.__name__:
            yield from (f for f in vars(value).values() if isinstance(f, FunctionType))


def _rebind_defaults(old: Any, new: Any, module: ModuleType) -> list[tuple[FunctionType, Any]]:
    """Default arguments bound to `old` (e.g. `actor: Actor = SYSTEM`) now take `new`."""
    changed = []
    for func in _functions_of(module):
        defaults = func.__defaults__ or ()
        kwdefaults = func.__kwdefaults__ or {}
        if any(d is old for d in defaults) or any(d is old for d in kwdefaults.values()):
            changed.append((func, (func.__defaults__, func.__kwdefaults__)))
            func.__defaults__ = tuple(new if d is old else d for d in defaults) or None
            if func.__kwdefaults__:
                func.__kwdefaults__ = {k: new if d is old else d for k, d in kwdefaults.items()}
    return changed


@contextlib.contextmanager
def applied(mutant: TableMutant) -> Iterator[None]:
    """Bind the mutated table wherever the original is bound, recompute the tables defined after
    it from it (as importing the module would), then put every original back."""
    module_name, name = mutant.table.rsplit(".", 1)
    module = sys.modules[module_name]
    original = getattr(module, name)
    mutated = mutant.make(original)
    if isinstance(original, dict) and not isinstance(mutated, type(original)):
        mutated = type(original)(mutated)
    assignments = _assignments(module)
    start = next(i for i, (names, _s) in enumerate(assignments) if name in names)
    later = [stmt for _names, stmt in assignments[start + 1 :]]
    before = dict(vars(module))
    rebound: list[tuple[ModuleType, str, Any]] = []
    defaults: list[tuple[FunctionType, Any]] = []
    try:
        setattr(module, name, mutated)
        for stmt in later:  # derived tables, e.g. TERMINAL from TRANSITIONS
            exec(compile(ast.Module([stmt], []), module.__file__ or "", "exec"), vars(module))
        for attr, old in before.items():
            new = vars(module)[attr]
            if new is not old:
                holders = _holders(old, attr)
                for holder, holder_attr in holders:
                    rebound.append((holder, holder_attr, old))
                    setattr(holder, holder_attr, new)
                for holder in ({id(m): m for m, _a in holders} | {id(module): module}).values():
                    defaults += _rebind_defaults(old, new, holder)
        yield
    finally:
        for func, (positional, keywords) in defaults:
            func.__defaults__, func.__kwdefaults__ = positional, keywords
        for holder, holder_attr, old in rebound:
            setattr(holder, holder_attr, old)
        for attr, old in before.items():
            setattr(module, attr, old)


def run_tests(tests: list[str]) -> int:
    """pytest's exit code for `tests`, output swallowed (0 = all passed)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return int(pytest.main([*PYTEST_ARGS, *tests]))


@dataclass
class TableScore:
    module: str
    killed: int = 0
    survivors: list[TableMutant] = dataclasses.field(default_factory=list)

    @property
    def total(self) -> int:
        return self.killed + len(self.survivors)


def score_module(module_name: str, tests: list[str], only: set[str] | None = None) -> TableScore:
    """Run every table mutant of `module_name` against `tests`."""
    if run_tests(tests) != 0:
        raise RuntimeError(f"the tests fail without any mutation: {tests}")
    score = TableScore(module_name)
    for mutant in table_mutants(module_name, only):
        with applied(mutant):
            killed = run_tests(tests) != 0
        if killed:
            score.killed += 1
        else:
            score.survivors.append(mutant)
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="+")
    parser.add_argument("--tests", nargs="+", required=True)
    parser.add_argument("--only", nargs="*", help="table names (default: every table)")
    parser.add_argument("--report", help="write the result of the last module here (JSON)")
    args = parser.parse_args(argv)
    for module_name in args.modules:
        started = time.monotonic()
        score = score_module(module_name, args.tests, set(args.only) if args.only else None)
        took = time.monotonic() - started
        print(f"{module_name} tables: {score.killed}/{score.total} killed ({took:.0f} s)")
        for mutant in score.survivors:
            print(f"  survived: {mutant.table} {mutant.change}")
        if args.report:
            survivors = [f"{m.table} {m.change}" for m in score.survivors]
            result = {"total": score.total, "killed": score.killed, "survivors": survivors}
            Path(args.report).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
