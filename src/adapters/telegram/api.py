"""Calling the Bot API: where the server is, what its refusals mean, and retries that turn them
into our errors.

`refusal()` is the one place that reads an error answer: 429 carries retry_after, 401/404 mean the
token was refused, 403 (blocked, deactivated) and 400 "chat not found" mean the recipient is gone.
TelegramCaller waits out 429, backs off exponentially with jitter on 5xx and network errors, and
raises what is left as RateLimited or DeliveryFailed: core errors, never SDK ones.
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


class TelegramUnauthorized(Exception):
    """Telegram refused the token (401/404): nothing to retry, the operator must fix BOT_TOKEN."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """What an error answer from the Bot API means for whoever made the call."""

    code: int
    description: str
    retry_after: float | None  # set for 429 only: the seconds Telegram asks us to wait

    @property
    def token_refused(self) -> bool:
        return self.code in (401, 404)

    @property
    def recipient_gone(self) -> bool:
        gone = any(g in self.description.lower() for g in _GONE)
        return self.code == 403 or (self.code == 400 and gone)

    @property
    def transient(self) -> bool:
        """Worth trying again as is: a rate limit or the server's own trouble."""
        return self.retry_after is not None or self.code >= 500

    def unauthorized(self) -> TelegramUnauthorized:
        return TelegramUnauthorized(f"Telegram refused BOT_TOKEN: {self.description}")


def refusal(exc: apihelper.ApiTelegramException) -> Refusal:
    """Read an error answer once, for every caller (sending, polling, start-up checks)."""
    retry_after: float | None = None
    if exc.error_code == 429:
        parameters = exc.result_json.get("parameters") or {}
        retry_after = float(parameters.get("retry_after", 1))
    return Refusal(exc.error_code, str(exc.description), retry_after)


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

    def with_policy(self, policy: RetryPolicy) -> TelegramCaller:
        """The same caller (and clock) with other retries: a call that must be quick."""
        return TelegramCaller(policy, sleep=self._sleep)

    def __call__(self, what: str, fn: Callable[[], T]) -> T:
        """Run one Bot API call with retries; raises only core errors."""
        policy = self.policy
        for attempt in range(policy.attempts):
            last = attempt == policy.attempts - 1
            try:
                return fn()
            except apihelper.ApiTelegramException as exc:
                refused = refusal(exc)
                if refused.retry_after is not None:
                    if last or refused.retry_after > policy.max_retry_after:
                        raise RateLimited(refused.retry_after) from exc
                    log.warning("telegram rate limit", call=what, retry_after=refused.retry_after)
                    self._sleep(refused.retry_after)
                    continue
                if refused.recipient_gone:
                    raise RecipientBlocked(refused.description) from exc
                if not refused.transient or last:
                    raise DeliveryFailed(f"{what}: {refused.code} {refused.description}") from exc
                log.warning(
                    "telegram server error", call=what, code=refused.code, attempt=attempt + 1
                )
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
