"""structlog configuration shared by every process.

Log lines are events with fields. The correlation id travels from the gateway's `X-Request-ID`
through NATS headers and is bound in structlog's contextvars, so every line a request causes,
in any process, carries the same `correlation_id`.
"""

from __future__ import annotations

import logging
import sys
import uuid
from typing import Any

import structlog

CORRELATION_HEADER = "X-Correlation-ID"


def configure_logging(service: str, fmt: str = "auto", level: str = "INFO") -> None:
    """Configure structlog (and stdlib logging) for one process.

    `fmt` is `console`, `json` or `auto` (console on a terminal, JSON otherwise).
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
    processors: list[Any] = [
        *shared_processors,
        structlog.processors.format_exc_info if use_json else _identity,
        renderer,
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    # Libraries that log through stdlib (uvicorn, faststream, alembic) go to stderr plainly.
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )


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
