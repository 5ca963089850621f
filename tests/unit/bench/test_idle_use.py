"""The headline point's idle use is read from the scheduler's run time (bench/stack.py)."""

from __future__ import annotations

import subprocess
import sys

from bench.stack import idle_use, run_time


def test_idle_use_tells_a_sleeping_process_from_a_busy_one() -> None:
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
    )
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        assert sleeper.stdout is not None and sleeper.stdout.readline() == b"up\n"  # started
        idle = idle_use({"sleeper": sleeper.pid}, 0.5)
        # A whole core wanted; on a CI machine busy with two test workers it may get a third.
        busy = idle_use({"spinner": spinner.pid}, 0.5)
        assert idle < 0.02 and busy > 0.1, (idle, busy)
        assert run_time(spinner.pid) > 0
    finally:
        for proc in (sleeper, spinner):
            proc.kill()
            proc.wait()
