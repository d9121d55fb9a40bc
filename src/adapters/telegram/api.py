"""Calling the Bot API: where the server is, and retries that turn Telegram's errors into ours.

429 waits the server's retry_after and tries again; 5xx and network errors back off exponentially
with jitter; 403 (blocked, deactivated) and 400 "chat not found" mean the recipient is gone. What
is left after the retries becomes RateLimited or DeliveryFailed: core errors, never SDK ones.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
import structlog
import telebot
from telebot import apihelper

from paintcore.domain.errors import DeliveryFailed, RateLimited, RecipientBlocked

log = structlog.get_logger(__name__)
T = TypeVar("T")

_GONE = (
    "chat not found",
    "user is deactivated",
    "bot was blocked",
    "bot was kicked",
    "have no rights",
)


def make_bot(token: str, api_url: str) -> telebot.TeleBot:
    """A TeleBot that talks to `api_url` (Telegram, a self-hosted Bot API server, a test fake).

    telebot keeps the server address in module globals, so one process talks to one server."""
    base = api_url.rstrip("/")
    # setattr: telebot annotates these globals as None.
    setattr(apihelper, "API_URL", base + "/bot{0}/{1}")  # noqa: B010
    setattr(apihelper, "FILE_URL", base + "/file/bot{0}/{1}")  # noqa: B010
    # We parse updates ourselves and dispatch to our own workers (see polling.py).
    return telebot.TeleBot(token, threaded=False, parse_mode=None)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5  # seconds before the 2nd try; doubles each time, plus jitter
    max_delay: float = 10.0
    max_retry_after: float = 60.0  # a longer 429 wait is returned to the caller as RateLimited

    def backoff(self, attempt: int) -> float:
        delay: float = min(self.max_delay, self.base_delay * 2**attempt)
        return delay * random.uniform(0.5, 1.0)


class TelegramCaller:
    def __init__(
        self, policy: RetryPolicy | None = None, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep

    def __call__(self, what: str, fn: Callable[[], T]) -> T:
        """Run one Bot API call with retries; raises only core errors."""
        policy = self.policy
        for attempt in range(policy.attempts):
            last = attempt == policy.attempts - 1
            try:
                return fn()
            except apihelper.ApiTelegramException as exc:
                code, description = exc.error_code, str(exc.description)
                if code == 429:
                    retry_after = float(
                        (exc.result_json.get("parameters") or {}).get("retry_after", 1)
                    )
                    if last or retry_after > policy.max_retry_after:
                        raise RateLimited(retry_after) from exc
                    log.warning("telegram rate limit", call=what, retry_after=retry_after)
                    self._sleep(retry_after)
                    continue
                if code == 403 or (code == 400 and any(g in description.lower() for g in _GONE)):
                    raise RecipientBlocked(description) from exc
                if code < 500 or last:
                    raise DeliveryFailed(f"{what}: {code} {description}") from exc
                log.warning("telegram server error", call=what, code=code, attempt=attempt + 1)
            except (
                requests.RequestException,
                apihelper.ApiHTTPException,
                apihelper.ApiInvalidJSONException,
            ) as exc:
                if last:
                    raise DeliveryFailed(f"{what}: {type(exc).__name__}") from exc
                log.warning(
                    "telegram network error",
                    call=what,
                    error=type(exc).__name__,
                    attempt=attempt + 1,
                )
            self._sleep(policy.backoff(attempt))
        raise DeliveryFailed(f"{what}: no attempts")  # attempts < 1
