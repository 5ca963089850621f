"""structlog configuration shared by every process.

Log lines are events with fields. The correlation id travels from the gateway's `X-Request-ID`
through NATS headers and is bound in structlog's contextvars, so every line a request causes,
in any process, carries the same `correlation_id`.
"""

from __future__ import annotations

import logging
import sys
import uuid
from typing import Any, TextIO, cast

import structlog

CORRELATION_HEADER = "X-Correlation-ID"


def configure_logging(service: str, fmt: str = "auto", level: str = "INFO") -> None:
    """Configure structlog and stdlib logging for one process, with one renderer for both.

    `fmt` is `console`, `json` or `auto` (console on a terminal, JSON otherwise). In JSON mode
    every line the process writes is one JSON object: structlog's, and stdlib records from
    libraries (uvicorn, alembic, nats, FastStream) rendered by the same processors.
    """
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared_processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_service(service),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if use_json
        # Plain tracebacks: rich's frame locals can print request headers (tokens) and are slow.
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    finish: Any = structlog.processors.format_exc_info if use_json else _identity
    structlog.configure(
        processors=[*shared_processors, finish, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        # WriteLogger writes the line and its newline in one write (PrintLogger's print() made
        # two write syscalls per line: stderr is unbuffered when it is not a terminal).
        logger_factory=structlog.WriteLoggerFactory(file=cast(TextIO, _CurrentStderr())),
        cache_logger_on_first_use=True,
    )
    _route_stdlib_logging(shared_processors, finish, renderer, level)


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is at the moment of writing.

    Loggers are cached on first use, so a logger bound to the stream object of configure time
    would keep writing there after the stream is replaced (a test's capture, a daemon that
    redirects its output); looking it up per write keeps every cached logger honest.
    """

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _route_stdlib_logging(shared: list[Any], finish: Any, renderer: Any, level: str) -> None:
    """Libraries that log through stdlib go through the same processors, at WARNING and up
    (uvicorn, alembic and nats are chatty at INFO)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.getLevelName(level))
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                *shared,
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(),
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                finish,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.WARNING)
    # FastStream gives its own loggers a coloured handler and stops them propagating; the broker
    # and the app get `faststream_logger()` instead, and anything left on these loggers joins
    # the root handler.
    for name in FASTSTREAM_LOGGERS:
        framework = logging.getLogger(name)
        framework.handlers.clear()
        framework.propagate = True


FASTSTREAM_LOGGERS = ("faststream", "faststream.access")


def faststream_logger() -> Any:
    """The logger to hand FastStream (`NatsBroker(logger=...)`, `FastStream(broker, logger=...)`,
    as in FastStream's structlog example): its default logger prints coloured text to stdout
    whatever the process's log format. Per-message DEBUG lines are filtered by the level."""
    return structlog.get_logger(framework="faststream")


def _identity(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return event_dict


def _add_service(service: str) -> Any:
    def processor(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        event_dict.setdefault("service", service)
        return event_dict

    return processor


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def bind_correlation_id(correlation_id: str | None) -> str:
    """Bind a correlation id (a new one when missing) to this task's log context."""
    cid = correlation_id or new_correlation_id()
    structlog.contextvars.bind_contextvars(correlation_id=cid)
    return cid


def current_correlation_id() -> str | None:
    value = structlog.contextvars.get_contextvars().get("correlation_id")
    return str(value) if value else None


def clear() -> None:
    structlog.contextvars.clear_contextvars()
