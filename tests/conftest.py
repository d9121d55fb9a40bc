"""Test-wide setup: structlog goes through stdlib logging, so pytest captures it like any log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog

pytest_plugins = ["support.mongo_backends", "support.redis_server"]


def route_structlog_to_logging() -> None:
    structlog.reset_defaults()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.processors.format_exc_info,
            structlog.processors.KeyValueRenderer(key_order=["event"]),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


route_structlog_to_logging()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """For tests that call configure_logging: put the root logger and structlog back after."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    route_structlog_to_logging()
