"""Calling the OpenAI API: our backoff within a time budget, and its errors turned into ours.

The client may make a few quick retries of its own (`max_retries` of `make_client`: the
moderation client does one; the image client none, so that a drawing's time is bounded by our
budget). Ours waits longer between attempts (exponential with jitter, honouring retry-after),
never starts one past the budget nor lets a request outlast it, and, unlike the SDK, gives up at
once on errors no retry can fix: refused prompts, a bad key, an empty wallet. What leaves here
is a core error, never an SDK exception.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import openai
import structlog

from paintcore.domain.errors import (
    BackendUnavailable,
    GenerationFailed,
    PaintError,
    PromptRejected,
    RateLimited,
)

log = structlog.get_logger(__name__)
T = TypeVar("T")

# The Images API says "moderation_blocked" for GPT image models; "content_policy_violation" is the
# DALL·E-era code and "image_content_policy_violation" the Responses API's: all mean "refused".
REFUSED_CODES = frozenset(
    {"moderation_blocked", "content_policy_violation", "image_content_policy_violation"}
)
# Nobody gets an image until an admin acts, whatever the status code (429 for quota, 400 billing).
ACCOUNT_CODES = frozenset(
    {
        "insufficient_quota",
        "billing_hard_limit_reached",
        "billing_not_active",
        "account_deactivated",
        "invalid_api_key",
        "model_not_found",
    }
)
_KEY = re.compile(r"\b(sk|sess|org|proj)-[\w*\-.]+")  # 401 messages echo part of the key


def redact(text: str) -> str:
    """`text` without anything that looks like an OpenAI key or organisation id."""
    return _KEY.sub(r"\1-***", text)


def make_client(
    *, api_key: str, timeout: float, max_retries: int = 2, base_url: str | None = None
) -> openai.OpenAI:
    """An SDK client; with `base_url` None the SDK reads OPENAI_BASE_URL, else api.openai.com.

    `max_retries` is the SDK's quick retry burst inside each of our attempts: keep it small."""
    if not api_key.strip():
        raise ValueError("an OpenAI API key is required")
    return openai.OpenAI(
        api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
    )


@dataclass(frozen=True, slots=True)
class Backoff:
    """How often and how patiently we try again after the SDK has given up."""

    attempts: int = 3  # tries in all, each one an SDK call with its own retries
    base: float = 1.0  # seconds before the 2nd try; doubles each time
    cap: float = 20.0  # longest wait; a longer retry-after is handed to the caller instead
    jitter: float = 0.5  # up to this fraction of a wait is shaved off at random
    budget: float = 300.0  # no new try once this many seconds have passed since the first

    def __post_init__(self) -> None:
        if min(self.base, self.cap, self.budget) < 0 or not 0 <= self.jitter <= 1:
            raise ValueError(f"invalid backoff {self}")
        if self.attempts < 1:
            raise ValueError(f"invalid backoff {self}")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed try number `attempt` (0-based)."""
        if retry_after is not None:
            return max(0.0, retry_after)
        full: float = min(self.cap, self.base * 2**attempt)
        return full * (1 - self.jitter * random.random())


@dataclass(frozen=True, slots=True)
class Verdict:
    """What an SDK error means for us: the core error, and whether another try may help."""

    error: PaintError
    retry: bool
    retry_after: float | None = None


def judge(exc: openai.OpenAIError, what: str) -> Verdict:
    """Translate any SDK error into a core error (one place for images, edits and moderation)."""
    if isinstance(exc, openai.APITimeoutError):
        return Verdict(GenerationFailed(f"{what}: timed out"), retry=True)
    if isinstance(exc, openai.APIConnectionError):
        return Verdict(GenerationFailed(f"{what}: cannot connect to OpenAI"), retry=True)
    if not isinstance(exc, openai.APIStatusError):  # malformed 2xx bodies, client misuse
        return Verdict(GenerationFailed(f"{what}: {type(exc).__name__}"), retry=False)
    status, code = exc.status_code, exc.code or ""
    body = exc.body if isinstance(exc.body, dict) else {}
    message = redact(str(body.get("message") or exc.message))
    described = " ".join(
        part
        for part in (f"{what}: HTTP {status}", code or exc.type, message, exc.request_id)
        if part
    )
    if code in REFUSED_CODES:
        return Verdict(PromptRejected("unsafe", detail=f"{code}: {message}"), retry=False)
    if code in ACCOUNT_CODES or status in (401, 403, 404):
        return Verdict(BackendUnavailable(described), retry=False)
    if status == 429:
        return Verdict(RateLimited(_retry_after(exc) or 0.0), True, _retry_after(exc))
    if status in (408, 409) or status >= 500:  # what the SDK itself deems worth retrying
        return Verdict(GenerationFailed(described), True, _retry_after(exc))
    return Verdict(GenerationFailed(described), retry=False)


def _retry_after(exc: openai.APIStatusError) -> float | None:
    """The server's wait in seconds (retry-after-ms, then retry-after), if given as a number."""
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = exc.response.headers.get(header)
        if value is None:
            continue
        try:
            return float(value) * scale
        except ValueError:
            continue  # an HTTP date: rare from OpenAI, and our own backoff is a fine stand-in
    return None


def call(
    what: str,
    fn: Callable[[float], T],
    *,
    backoff: Backoff,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run one API call with our retries; raises only core errors. `fn` gets the seconds its
    request may take: `timeout`, or what is left of the budget when that is less, so that with
    a client that does not retry on its own (the image client) the whole call ends within the
    budget and a page's worst case stays bounded (docs/ARCHITECTURE.md, "Job leases")."""
    started = clock()
    for attempt in range(backoff.attempts):
        try:
            return fn(max(1.0, min(timeout, backoff.budget - (clock() - started))))
        except openai.OpenAIError as exc:
            verdict = judge(exc, what)
            error = verdict.error
            wait = backoff.delay(attempt, verdict.retry_after)
            if isinstance(error, RateLimited):
                error = RateLimited(round(wait, 3))  # the caller may reschedule after the same wait
            out_of_time = clock() - started + wait > backoff.budget
            last = attempt + 1 >= backoff.attempts
            if not verdict.retry or last or wait > backoff.cap or out_of_time:
                raise error from None  # from None: the SDK error holds the request and its key
            log.warning(
                "openai call failed, retrying",
                call=what,
                error=redact(str(error)),
                attempt=attempt + 1,
                wait=round(wait, 2),
            )
            sleep(wait)
    raise GenerationFailed(f"{what}: no attempts")  # unreachable: attempts >= 1
