"""Which surviving mutmut mutants change nothing but the wording of a message.

mutmut writes every mutant of a function beside the original in its copy of the module
(`x_name__mutmut_orig`, `x_name__mutmut_3`, methods as `xǁClassǁname__mutmut_3`). The two
function trees are compared: a mutant is message-only when every difference is a string literal
that holds prose (it has a space in it: an error's text, a reason shown to a person), never a
code, a key, an event name or a format.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path


@functools.cache
def _functions(source: Path) -> dict[str, ast.AST]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    return {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "__mutmut_" in node.name
    }


def _differences(a: object, b: object) -> list[tuple[object, object]]:
    """The outermost pairs of nodes (or values) where two trees differ."""
    if type(a) is not type(b):
        return [(a, b)]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [(a, b)]
        return [d for x, y in zip(a, b, strict=True) for d in _differences(x, y)]
    if isinstance(a, ast.AST) and isinstance(b, ast.AST):
        if isinstance(a, ast.Constant) and isinstance(b, ast.Constant):
            return [] if a.value == b.value and type(a.value) is type(b.value) else [(a, b)]
        fields = [f for f in a._fields if f not in ("name", "type_comment")]
        return [d for f in fields for d in _differences(getattr(a, f), getattr(b, f))]
    return [] if a == b else [(a, b)]


def _is_prose(node: object) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and " " in node.value.strip()
    if isinstance(node, ast.JoinedStr):  # an f-string: prose if its literal text is
        return any(_is_prose(part) for part in node.values)
    return False


def _is_prose_change(pair: tuple[object, object]) -> bool:
    before, after = pair
    replaced_by_text = isinstance(after, ast.Constant) and (
        isinstance(after.value, str) or after.value is None
    )
    return _is_prose(before) and (replaced_by_text or _is_prose(after))


def message_only(source: Path, mutant: str) -> bool:
    """Whether `mutant` (its full dotted name) changes only prose in `source`'s mutmut copy."""
    name = mutant.rsplit(".", 1)[1]
    original = name.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"
    functions = _functions(source)
    if name not in functions or original not in functions:
        return False
    diffs = _differences(functions[original], functions[name])
    return bool(diffs) and all(_is_prose_change(d) for d in diffs)
