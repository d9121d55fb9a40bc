"""Logging: structlog for everything (stdlib records from paintcore included), secrets redacted."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Any

import structlog


def redactor(secrets: Iterable[str]) -> Any:
    """A processor that replaces every known secret value in every string with ***."""
    known = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
        if not known:
            return event
        for key, value in event.items():
            if isinstance(value, str):
                text = value
                for secret in known:
                    text = text.replace(secret, "***")
                event[key] = text
        return event

    return redact


class CurrentStderr:
    """`sys.stderr` as it is when a line is written, not as it was when logging was set up: a
    thread still logging after whoever replaced stderr (a test's capture) closed the old one
    must not write to a closed file."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure_logging(
    *, fmt: str | None, level: str, secrets: Iterable[str] = (), stream: Any = None
) -> None:
    """Send structlog and stdlib logs as JSON or console lines to stderr (stdout is the chat)."""
    stream = stream or CurrentStderr()
    if fmt is None:
        fmt = "console" if stream.isatty() else "json"
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=stream.isatty())
        if fmt == "console"
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redactor(secrets),
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
