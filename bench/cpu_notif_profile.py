"""cProfile of the notifications consumer's apply path: `python -m bench.cpu_notif_profile`.

Runs one round of `bench.notifications_apply` (the recorded events, NATS faked) with the
profiler on for the measured groups only (not the start-up, migrations or warm-up), and prints
the top functions by own time and by cumulative time, per event.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

from bench.cpu_notifications import EVENTS, _load
from bench.notifications_apply import one_round


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=Path, default=EVENTS)
    parser.add_argument("--group", type=int, default=1, help="0: the recorded bursts")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", type=Path, help="also write the raw profile here")
    a = parser.parse_args()
    rows = list(_load(a.events))
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="concierge-notif-prof-") as tmp:
        result = asyncio.run(one_round(rows, a.group, Path(tmp), profiler))
    if a.out:
        profiler.dump_stats(str(a.out))
    stats = pstats.Stats(profiler, stream=sys.stdout)
    calls = sum(s[1] for s in stats.stats.values())  # type: ignore[attr-defined]
    print(f"events {result['events']:.0f}, python calls per event {calls / result['events']:.0f}")
    stats.sort_stats("tottime").print_stats(a.top)
    stats.sort_stats("cumulative").print_stats(a.top)


if __name__ == "__main__":
    main()
