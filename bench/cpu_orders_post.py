"""CPU per `POST /v1/orders` inside the wrk window, per process: `python -m bench.cpu_orders_post`.

The POST row of bench/http_bench.py alone (a fresh `concierge up`, wrk with the Lua script that
gives each request a fresh quote and Idempotency-Key, 2 threads, 32 connections, after a 1 s
warm-up on other quotes), printing each process's CPU time over the window divided by the
orders accepted. Inside the window the orders process also runs the saga steps those orders
start (authorize + reserve, book + confirm): that is the cost that caps the POST rate.
`--rounds N` runs N windows on the same stack, each on an idle stack.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from pathlib import Path

from bench import wrk
from bench.http_bench import SUBJECT, Settings, _measure, _orders_cmd, make_quotes
from bench.quiet import describe_load, load_average
from bench.stack import UpStack, token


def measure(seconds: float, rounds: int) -> list[dict[str, object]]:
    s = Settings(seconds, 1.0, int(seconds * 250))
    out: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="concierge-cpu-post-") as tmp:
        folder = Path(tmp)
        stack = UpStack(folder)
        stack.start(timeout=120)
        try:
            for i in range(rounds):
                quotes, warm = folder / f"quotes-{i}.txt", folder / f"warm-{i}.txt"
                quotes.write_text("\n".join(make_quotes(stack.api, SUBJECT, s.post_quotes)))
                warm.write_text("\n".join(make_quotes(stack.api, SUBJECT, 200)))
                warmup = wrk.command(f"{stack.api}/v1/orders", 1, {}, [str(warm), token(SUBJECT),
                                     uuid.uuid4().hex[:12], str(wrk.THREADS)])  # fmt: skip
                m = _measure(_orders_cmd(stack.api, s, quotes, cycle=False), warmup, stack.pids)
                out.append({
                    "at": time.strftime("%H:%M:%S UTC", time.gmtime()),
                    "load": describe_load(load_average()),
                    "ok_per_s": round(m.result.ok_rate, 1), "ok": m.result.ok,
                    "non_2xx": m.result.non_2xx, "ran_out_of_quotes": m.result.ok >= s.post_quotes,
                    "cpu_ms_per_post": {k: round(v, 2) for k, v in m.cpu_ms.items()},
                    "idle_check": m.check.describe(), "others_cores": round(m.others_cores, 2),
                })  # fmt: skip
        finally:
            stack.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    a = parser.parse_args()
    print(json.dumps(measure(a.seconds, a.rounds), indent=1))


if __name__ == "__main__":
    main()
