"""The OCR child process: the engine lives here, not in the warranty process (`OcrProcess`).

    python -m services.warranty.adapters.ocr_child FD THREADS PARENT_PID FACTORY

The warranty process starts it with one end of a socket pair as FD. Requests come in as
`(id, kind, payload)` ("warm", or "read" with the photo's bytes), each answered by
`(id, ok, result)` from a pool of THREADS threads (ONNX Runtime releases the GIL, so two photos
are read at once by one copy of the model), in the order they finish.

It never outlives the warranty process: it exits at end-of-file on the socket (the parent closed
it, or died and the kernel closed it) and, in case the socket is held open by anything else, when
its parent process is no longer PARENT_PID (checked every PARENT_CHECK_S). `os._exit`: nothing
in here has anything to flush, and a read in progress is not worth finishing for nobody.

FACTORY is `module:name`, called without arguments to make the reader (tests pass fakes).
This module imports nothing heavy itself: the factory's module brings the engine.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

PARENT_CHECK_S = 0.5


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(PARENT_CHECK_S)


def _trimmer() -> Any:
    """glibc keeps freed memory of the engine's large buffers resident (measured in one process:
    warm-up 143 MiB, 218 after 60 label photos, 470 after one 12-megapixel photo);
    `malloc_trim(0)` after each photo hands it back: 135 MiB after the same 60 photos, for
    2.4 ms of CPU and the page faults of the next photo (median CPU per photo 0.100 s against
    0.081-0.084 s without; pinning MALLOC_MMAP_THRESHOLD_ instead cost 0.25 s: docs/benchmarks.md)."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except OSError:  # not glibc: nothing to trim
        return lambda _pad: 0


def _load(factory: str) -> Any:
    module, _, name = factory.partition(":")
    return getattr(importlib.import_module(module), name)()


def _answer(reader: Any, kind: str, payload: Any) -> tuple[bool, Any]:
    try:
        if kind == "warm":
            reader.warm_up()
            return True, None
        if hasattr(reader, "read_lines"):  # RapidOcrReader: no TextLine, no warranty domain here
            return True, reader.read_lines(payload)
        return True, [(line.text, line.confidence) for line in reader.read(payload)]
    except Exception as exc:  # the parent raises it for this photo; the child goes on
        return False, f"{type(exc).__name__}: {exc}"


def serve(conn: Connection, reader: Any, threads: int) -> None:
    sending, trim = threading.Lock(), _trimmer()

    def handle(request_id: int, kind: str, payload: Any) -> None:
        ok, result = _answer(reader, kind, payload)
        with sending:
            try:
                conn.send((request_id, ok, result))
            except OSError:
                os._exit(0)  # the parent is gone
        trim(0)  # after the answer: the photo does not wait for it

    pool = ThreadPoolExecutor(threads, thread_name_prefix="ocr")
    while True:
        try:
            request_id, kind, payload = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        pool.submit(handle, request_id, kind, payload)


def main(argv: list[str]) -> None:
    fd, threads, parent = int(argv[1]), int(argv[2]), int(argv[3])
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    conn = Connection(fd)
    serve(conn, _load(argv[4]), threads)


if __name__ == "__main__":
    main(sys.argv)
