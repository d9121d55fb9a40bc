"""Logging: structlog for everything (stdlib records from paintcore included), secrets redacted."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

import structlog


def _forms(secret: str) -> set[str]:
    """How a secret shows up in text: as given, percent-encoded (a token in a URL's path or
    query) and decoded (a password written percent-encoded in a URI)."""
    encoded = {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    return {secret, unquote(secret), unquote_plus(secret)} | encoded


class Redactor:
    """Replaces every form of the known secrets with *** in text and in log events."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Under 4 characters a "secret" would blank out ordinary words.
        forms = {form for secret in secrets for form in _forms(secret) if len(form) >= 4}
        # Longest first: where the whole token matches, its id goes too, not only the secret part.
        alternatives = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if forms else None

    def text(self, text: str) -> str:
        return self._pattern.sub("***", text) if self._pattern else text

    def __call__(
        self, _: Any, __: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """The structlog processor: every field, however deeply nested."""
        if self._pattern is None:
            return event
        return {key: self._value(value) for key, value in event.items()}

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, dict):
            return {key: self._value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._value(item) for item in value]
        # An exception, a URL object, bytes: the renderers would show repr() of it, unredacted.
        return self.text(repr(value))


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
            Redactor(secrets),
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
