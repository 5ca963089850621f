"""Code is small enough to read: every module in services/ and shared/ is at most 300 lines and
every function at most 40 lines (migrations excluded).

A function longer than that is allowed only when it is a declarative table (data, not logic) and
is listed below with the reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 40

# Declarative tables: long because they list data, not because they hold logic.
TABLE_FUNCTIONS: dict[str, str] = {}


def modules() -> Iterator[Path]:
    for top in ("services", "shared"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def long_functions(path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > MAX_FUNCTION_LINES:
                yield f"{name(path)}::{node.name}", length


def test_every_module_is_at_most_300_lines() -> None:
    too_long = {
        name(path): lines
        for path in modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def test_every_function_is_at_most_40_lines() -> None:
    too_long = {
        function: lines
        for path in modules()
        for function, lines in long_functions(path)
        if function not in TABLE_FUNCTIONS
    }
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines: {too_long}"


def test_allow_lists_name_only_what_exists() -> None:
    """A stale entry would silently allow the next file or function that takes its name."""
    functions = {f for path in modules() for f, _ in long_functions(path)}
    assert set(TABLE_FUNCTIONS) <= functions, set(TABLE_FUNCTIONS) - functions
