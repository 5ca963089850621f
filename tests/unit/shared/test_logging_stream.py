"""A logger cached on first use writes to the stderr of the moment, not of configure time.

Without this, a process (or a test run) that configures logging and later swaps its stderr
loses every line of the loggers already used: the gateway's access-log tests failed whenever a
service runtime had configured logging earlier in the same pytest process.
"""

from __future__ import annotations

import io
import logging
import sys

import pytest
import structlog

from shared.logging import configure_logging


@pytest.fixture(autouse=True)
def _restore_structlog():  # type: ignore[no-untyped-def]
    saved, root = structlog.get_config(), logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.configure(**saved)
    root.handlers, root.level = handlers, level


def test_cached_logger_follows_a_replaced_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging("probe", fmt="json")
    log = structlog.get_logger("probe")
    log.info("before.swap")  # caches the logger
    monkeypatch.setattr(sys, "stderr", second)
    log.info("after.swap")
    assert "before.swap" in first.getvalue()
    assert "after.swap" in second.getvalue() and "after.swap" not in first.getvalue()


class _Writes(io.StringIO):
    """Records each write call: on a stderr that is not a terminal each call is a syscall."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def write(self, text: str) -> int:
        self.calls.append(text)
        return super().write(text)


def test_a_line_and_its_newline_go_out_in_one_write(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = _Writes()
    monkeypatch.setattr(sys, "stderr", stream)
    configure_logging("probe", fmt="json")
    structlog.get_logger("probe").info("one.write", n=1)
    assert len(stream.calls) == 1
    assert stream.calls[0].endswith("}\n") and '"event": "one.write"' in stream.calls[0]
