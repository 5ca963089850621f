"""Profile the stack under load with py-spy: `python bench/profile.py [get|orders] [--seconds N]`.

Runs `concierge up` under `py-spy record --subprocesses` (py-spy follows the supervisor's
children: the services, the gateway), drives one path with wrk, stops the stack and prints,
for each process, the frames where its samples were spent: "self" (the function on top of the
stack) and "total" (anywhere on the stack). Import-time frames (start-up) are left out. The
raw collapsed stacks stay in bench/results/profile-<path>.txt for a flame graph.

- get: GET /v1/claims/{id}, 32 connections;
- orders: POST /v1/orders with a fresh quote each, then the sagas and messages they cause.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import wrk
from bench.http_bench import SUBJECT, _auth, canned_answers, make_quotes
from bench.quiet import describe_load, load_average, wait_idle
from bench.stack import UpStack, token

RESULTS = Path(__file__).resolve().parent / "results"
_PROCESS = re.compile(r"^process (\d+):")
_STARTUP = ("_find_and_load", "_call_with_frames_removed (<frozen importlib._bootstrap>")
# Threads parked on a queue or a condition, and the event loop's own frame (uvloop is C: without
# --native its epoll wait and its socket work both show as Runner.run). py-spy's idle filter
# does not see these as idle in this container, so they are set aside by their top frame.
_WAITING = ("Condition.wait (threading.py", "_connection_worker_thread (aiosqlite/core.py:59)",
            "_worker (concurrent/futures/thread.py:81)", "epoll_wait", "__select", "__poll")  # fmt: skip
_LOOP = "Runner.run (asyncio/runners.py"


def parse_collapsed(lines: list[str]) -> dict[int, list[tuple[list[str], int]]]:
    """py-spy's raw output (`frame;frame;... count`) grouped by the process it came from."""
    out: dict[int, list[tuple[list[str], int]]] = {}
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if f]
        pid = next((int(m.group(1)) for f in reversed(frames) if (m := _PROCESS.match(f))), 0)
        # No Python frame at all: native code between frames, or a thread py-spy saw nothing in
        # (SQLAlchemy's greenlets show from their own root instead).
        frames = [f for f in frames if not f.startswith("process ")] or ["<no Python frame>"]
        out.setdefault(pid, []).append((frames, int(count)))
    return out


def _waiting(frames: list[str]) -> bool:
    return bool(frames) and (frames[-1].startswith(_WAITING) or frames[-1].startswith(_LOOP))


def top_frames(stacks: list[tuple[list[str], int]], n: int = 15) -> tuple[int, list[str]]:
    """Working samples (not start-up, not waiting), and the `n` heaviest frames as
    "self% total% frame" lines."""
    awake = [(f, c) for f, c in stacks if not any(s in frame for frame in f for s in _STARTUP)]
    work = [(f, c) for f, c in awake if not _waiting(f)]
    loop = sum(c for f, c in awake if f and f[-1].startswith(_LOOP))
    total = sum(c for _, c in work) or 1
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    for frames, count in work:
        if frames:
            own[frames[-1]] += count
        for frame in set(frames):
            anywhere[frame] += count
    lines = [f"self {100 * c / total:5.1f}%  total {100 * anywhere[f] / total:5.1f}%  {f}"
             for f, c in own.most_common(n)]  # fmt: skip
    lines += [f"(set aside: {sum(c for _, c in awake) - total} waiting samples, of which "
              f"{loop} in the event loop's C code)", "-- heaviest by total --"]  # fmt: skip
    lines += [f"total {100 * c / total:5.1f}%  {f}" for f, c in anywhere.most_common(n + 10)]
    return total, lines


def _drive(stack: UpStack, path: str, seconds: float, folder: Path) -> str:
    if path == "get":
        _, claim_id = canned_answers(stack.api, folder)
        cmd = wrk.command(f"{stack.api}/v1/claims/{claim_id}", seconds, _auth(SUBJECT), None)
    else:
        quotes = folder / "quotes.txt"
        made = make_quotes(stack.api, SUBJECT, int(seconds * 150), minimum=0.05)
        quotes.write_text("\n".join(made) + "\n")
        wait_idle(stack.pids, timeout=30)
        args = [str(quotes), token(SUBJECT), uuid.uuid4().hex[:12], str(wrk.THREADS)]
        cmd = wrk.command(f"{stack.api}/v1/orders", seconds, {}, args)
    load = describe_load(load_average())
    r = wrk.run(cmd)
    if path == "orders":
        wait_idle(stack.pids, timeout=30)  # the sagas and messages those orders caused
    return (f"{path}: {r.ok_rate:.0f} req/s over {r.seconds:.0f} s, p50 {r.p50_ms:.0f} ms, "
            f"p99 {r.p99_ms:.0f} ms, {r.non_2xx} non-2xx; load average before {load}")  # fmt: skip


def profile(path: str, seconds: float, native: bool) -> Path:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    raw = RESULTS / f"profile-{path}.txt"
    wrapper = [spy, "record", "--subprocesses", "--format", "raw", "-r", "100", "-o", str(raw)]
    wrapper += ["--native", "--"] if native else ["--"]
    with tempfile.TemporaryDirectory(prefix="concierge-profile-") as tmp:
        stack = UpStack(Path(tmp), wrapper=wrapper)
        stack.start(timeout=120)
        try:
            wait_idle(stack.pids, timeout=30)
            summary = _drive(stack, path, seconds, Path(tmp))
            names = {pid: name for name, pid in stack.pids.items()}
        finally:
            stack.stop()
            time.sleep(1)
    report = [f"# py-spy, {time.strftime('%H:%M UTC', time.gmtime())}: {summary}"]
    for pid, stacks in parse_collapsed(raw.read_text().splitlines()).items():
        samples, lines = top_frames(stacks)
        report += [f"\n## {names.get(pid, pid)} ({samples} samples after start-up)", *lines]
    out = RESULTS / f"profile-{path}-top.txt"
    out.write_text("\n".join(report) + "\n")
    print("\n".join(report))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", choices=("get", "orders"))
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--native", action="store_true", help="C frames too (slower sampling)")
    args = parser.parse_args()
    print(f"written to {profile(args.path, args.seconds, args.native)}")


if __name__ == "__main__":
    main()
