"""The `LabelReader` the warranty service uses: RapidOCR in a child process of its own.

Why a process: the engine (ONNX Runtime, OpenCV and the two models) costs about 114 MiB of
resident memory once built, which would put the warranty process over its 150 MiB budget (see
docs/benchmarks.md); in a child, warranty keeps only what its claims need, and OCR's CPU stays
off the process that answers claim reads.

One child (`adapters/ocr_child.py`), started on first use (the warm-up at start, or the first
photo), reading up to `threads` photos at once with one copy of the model. The callers block in
their own worker threads (the use case's bounded pool), so at most that many requests are in
the child at a time: the queue is the use case's, bounded, and nothing piles up in the pipe.

Failures are answered, never waited out:
- the child dies (killed, out of memory, a crash in native code): every photo it held fails at
  once with `label_reader_unavailable` (503; the gateway's clients may retry), and the next
  photo starts a fresh child (which loads the model again: a few seconds);
- the child does not answer within `read_timeout` (`start_timeout` while its model has not
  loaded yet): it is killed, and the photo gets the same error;
- the engine raises on a photo: that photo fails with the reason; the child goes on.
`close()` ends the child (end-of-file on its socket, then SIGKILL after `CLOSE_WAIT_S`). If the
warranty process dies without closing, the kernel closes its end and the child exits by itself
(see ocr_child.py).
"""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog

from services.warranty.domain.label_reading import TextLine
from shared.errors import DomainError, ErrorKind

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

log = structlog.get_logger()

CHILD_MODULE = "services.warranty.adapters.ocr_child"
DEFAULT_FACTORY = "services.warranty.adapters.rapid_ocr:RapidOcrReader"
CLOSE_WAIT_S = 2.0


class ReaderUnavailable(DomainError):
    code = "label_reader_unavailable"
    kind = ErrorKind.UNAVAILABLE


@dataclass
class _Child:
    process: subprocess.Popen[bytes]
    sock: socket.socket  # ours; shutting it down wakes our receiver and ends the child
    conn: Connection
    pending: dict[int, Future[Any]] = field(default_factory=dict)
    sending: threading.Lock = field(default_factory=threading.Lock)
    warmed: bool = False  # answered once: the model is loaded


class OcrProcess:
    def __init__(self, *, threads: int = 2, read_timeout: float = 20.0,
                 start_timeout: float = 120.0, factory: str = DEFAULT_FACTORY) -> None:  # fmt: skip
        self.threads, self.factory = threads, factory
        self.read_timeout, self.start_timeout = read_timeout, start_timeout
        self._lock = threading.Lock()  # guards _child, its `pending` and _closed
        self._child: _Child | None = None
        self._closed = False
        self._ids = itertools.count()

    @property
    def pid(self) -> int | None:
        """The running child's process id (None before the first use and after a loss)."""
        child = self._child
        return None if child is None else child.process.pid

    def warm_up(self) -> None:
        self._call("warm", None)

    def read(self, image: bytes) -> list[TextLine]:
        return [TextLine(text, confidence) for text, confidence in self._call("read", image)]

    def close(self) -> None:
        with self._lock:
            self._closed, child, self._child = True, self._child, None
        if child is not None:
            self._end(child)

    def _start(self) -> _Child:
        from multiprocessing.connection import Connection  # 1.5 MiB: only once OCR is used

        ours, theirs = socket.socketpair()
        with theirs:
            command = [sys.executable, "-m", CHILD_MODULE, str(theirs.fileno()),
                       str(self.threads), str(os.getpid()), self.factory]  # fmt: skip
            process = subprocess.Popen(command, pass_fds=(theirs.fileno(),))
        child = _Child(process, ours, Connection(os.dup(ours.fileno())))
        threading.Thread(target=self._receive, args=(child,), name="ocr-replies",
                         daemon=True).start()  # fmt: skip
        log.info("label.ocr_process_started", pid=process.pid)
        return child

    def _call(self, kind: str, payload: Any) -> Any:
        with self._lock:
            if self._closed:
                raise ReaderUnavailable("The label reader is shutting down; try again shortly.")
            if self._child is not None and self._child.process.poll() is not None:
                # Died since its last answer, and its receiver has not noticed yet: this photo
                # goes to a fresh child rather than to a dead one's socket (the receiver still
                # fails whatever the dead one held).
                log.warning("label.ocr_process_lost", pid=self._child.process.pid,
                            returncode=self._child.process.returncode)  # fmt: skip
                self._child = None
            child = self._child = self._child or self._start()
            request_id, future = next(self._ids), Future[Any]()
            child.pending[request_id] = future
            limit = self.read_timeout if child.warmed else self.start_timeout
        try:
            with child.sending:
                child.conn.send((request_id, kind, payload))
        except OSError:
            pass  # the child is gone: the receiver fails the future
        try:
            return future.result(limit)
        except FutureTimeout:
            log.error("label.ocr_process_timeout", pid=child.process.pid, waited_s=limit)
            self._end(child, kill=True)  # stuck: the next photo gets a fresh child
            raise ReaderUnavailable("The label reader did not answer in time; try again.") from None

    def _receive(self, child: _Child) -> None:
        try:
            while True:
                request_id, ok, result = child.conn.recv()
                with self._lock:
                    child.warmed = True
                    future = child.pending.pop(request_id, None)
                if future is None:
                    continue
                if ok:
                    future.set_result(result)
                else:
                    future.set_exception(RuntimeError(f"the OCR engine failed: {result}"))
        except (EOFError, OSError):
            pass
        self._lost(child)

    def _lost(self, child: _Child) -> None:
        with self._lock:
            closing = self._closed or self._child is not child
            if self._child is child:
                self._child = None
            pending, child.pending = list(child.pending.values()), {}
        for future in pending:
            if not future.done():
                future.set_exception(ReaderUnavailable(
                    "The label reader stopped while reading this photo; try again."))  # fmt: skip
        self._end(child, kill=True)
        if not closing:
            log.warning("label.ocr_process_lost", pid=child.process.pid,
                        returncode=child.process.returncode, photos_failed=len(pending))  # fmt: skip
        child.conn.close()

    def _end(self, child: _Child, *, kill: bool = False) -> None:
        """End-of-file first (the child exits by itself), SIGKILL if it does not; reaped."""
        with self._lock:
            if self._child is child:
                self._child = None
        try:
            child.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already shut
        if kill:
            child.process.kill()
        try:
            child.process.wait(CLOSE_WAIT_S)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
        child.sock.close()
