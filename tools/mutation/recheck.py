"""A recheck's results merged with the earlier run's.

`--keep --recheck` re-runs only a module's survivors, against tests written since. mutmut drops
every result when its config changes, and a new test file in the narrowed selection is such a
change, so the mutants the first run killed would read as "not run". Their earlier results are
put back, only when the mutants are the same ones (same names: the module did not change).
"""

from __future__ import annotations

import json
from pathlib import Path


def keep_earlier_results(meta: Path, earlier: dict[str, int | None]) -> bool:
    """Put back the earlier exit codes of the mutants not re-run; False if the mutants differ."""
    data = json.loads(meta.read_text())
    codes = data["exit_code_by_key"]
    if set(codes) != set(earlier):
        return False  # the module changed: its mutants are new, the earlier results not theirs
    for name, code in codes.items():
        if code is None and earlier[name] is not None:
            codes[name] = earlier[name]
    meta.write_text(json.dumps(data))
    return True
