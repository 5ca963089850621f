"""Make a module's `@property` getters reachable by mutmut.

mutmut 3.8 skips every decorated function but a static or class method (its trampoline cannot
sit under `@property`), so the rule inside a property (what an order reserves, a refund line's
total) was never mutated. In the scratch copy only, each plain getter

    @property
    def total(self): ...

becomes a method and a property built from it, the same behaviour:

    def total__get(self): ...
    total = property(total__get)

so mutmut mutates `total__get` (mutant names `xǁClassǁtotal__get__mutmut_N`). A property with a
setter or deleter, or with other decorators, is left as it is.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

SUFFIX = "__get"


def _getters(tree: ast.Module) -> list[ast.FunctionDef]:
    found = []
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        names = [f.name for f in cls.body if isinstance(f, ast.FunctionDef)]
        for f in cls.body:
            if (
                isinstance(f, ast.FunctionDef)
                and len(f.decorator_list) == 1
                and isinstance(f.decorator_list[0], ast.Name)
                and f.decorator_list[0].id == "property"
                and names.count(f.name) == 1  # no setter or deleter of the same name
            ):
                found.append(f)
    return found


def expose_properties(source: str) -> str:
    """`source` with each plain property getter turned into a method plus `property(method)`."""
    lines = source.splitlines(keepends=True)
    for f in sorted(_getters(ast.parse(source)), key=lambda f: f.lineno, reverse=True):
        decorator = f.decorator_list[0].lineno - 1
        indent = lines[decorator][: len(lines[decorator]) - len(lines[decorator].lstrip())]
        assert f.end_lineno is not None
        lines.insert(f.end_lineno, f"{indent}{f.name} = property({f.name}{SUFFIX})\n")
        head = f.lineno - 1
        lines[head] = lines[head].replace(f"def {f.name}(", f"def {f.name}{SUFFIX}(", 1)
        del lines[decorator]
    return "".join(lines)


def expose_file(source: Path, copy: Path) -> None:
    """Write `source`, rewritten, over its scratch `copy`, with the source's mtime: mutmut tells
    a changed file by its mtime and regenerates its mutants."""
    copy.write_text(expose_properties(source.read_text()))
    stat = source.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
