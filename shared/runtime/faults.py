"""Named crash points for fault-injection tests.

A test starts a real service process with `CONCIERGE_CRASH_AT=relay.after_publish` (comma-
separated names) and the process dies with SIGKILL semantics (`os._exit`) the first time it
reaches that point, with no cleanup, exactly like a killed process. Unset in normal runs, where
`crash_point` costs one dict lookup.
"""

from __future__ import annotations

import os
import sys

_ARMED = {p.strip() for p in os.environ.get("CONCIERGE_CRASH_AT", "").split(",") if p.strip()}


def crash_point(name: str) -> None:
    if name in _ARMED:
        sys.stderr.write(f"crash_point {name}: exiting now\n")
        sys.stderr.flush()
        os._exit(137)
