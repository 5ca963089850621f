"""CPU per `GET /v1/claims/{id}`, per process: `python -m bench.cpu_get_claim [--seconds N]`.

A fresh `concierge up`, one real claim, then wrk (2 threads, 32 connections) on the claim after a
warm-up; every stack process's CPU time (psutil) over the wrk window divided by the answers. CPU
time is what a process used, not how long it waited for a core, so on a loaded machine this
figure stays comparable where req/s does not. Run before and after a change, same arguments.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench import wrk
from bench.cpu_order_path import RESULTS, _spy, _spy_report, _stop
from bench.http_bench import SUBJECT, _auth, canned_answers
from bench.quiet import describe_load, load_average, wait_idle
from bench.stack import CpuMeter, UpStack

SPIED = ("warranty", "gateway")


def measure(seconds: float, rounds: int, spy: bool = False) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="concierge-cpu-get-") as tmp:
        stack = UpStack(Path(tmp))
        stack.start(timeout=120)
        try:
            _, claim_id = canned_answers(stack.api, Path(tmp))
            url = f"{stack.api}/v1/claims/{claim_id}"
            wrk.run(wrk.command(url, 2.0, _auth(SUBJECT), None))  # warm-up
            runs = []
            for _ in range(rounds):
                wait_idle(stack.pids, timeout=30)
                load = describe_load(load_average())
                spies = _spy(stack, SPIED, seconds, "get") if spy else []
                with CpuMeter(stack.pids) as cpu:
                    r = wrk.run(wrk.command(url, seconds, _auth(SUBJECT), None))
                _stop(spies)
                per = {k: round(1000 * v / max(1, r.ok), 3) for k, v in cpu.used.items()}
                runs.append({"req_s": round(r.ok_rate), "non_2xx": r.non_2xx, "load": load,
                             "cpu_ms_per_request": per,
                             "total": round(sum(per.values()), 3)})  # fmt: skip
        finally:
            stack.stop()
    if spy:
        top = _spy_report(SPIED, "get")
        (RESULTS / "profile-get-claim-top.txt").write_text(json.dumps(runs) + "\n" + top)
    return {"at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--spy", action="store_true", help="py-spy the warranty and gateway")
    a = parser.parse_args()
    print(json.dumps(measure(a.seconds, a.rounds, a.spy), indent=1))


if __name__ == "__main__":
    main()
