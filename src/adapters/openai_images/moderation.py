"""OpenAI's moderation endpoint as the Moderator port, with stricter limits for children."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import openai
import structlog
from openai.types import ModerationCreateResponse

from paintcore.domain.errors import PaintError, PromptRejected

from .boundary import Backoff, call, redact

log = structlog.get_logger(__name__)

# `flagged` is calibrated for a general audience. Pages are for children, so in these categories
# a description is refused at a score far below that line: "a sexy mermaid" or "a zombie with its
# guts out" may not be flagged, yet neither belongs on a child's coloring page. Plain "violence"
# is not here on purpose: knights, dragons and pirates score in it and are fine to colour.
KID_LIMITS: Mapping[str, float] = {
    "sexual": 0.2,
    "sexual/minors": 0.05,
    "violence/graphic": 0.2,
    "self-harm": 0.2,
    "self-harm/intent": 0.2,
    "self-harm/instructions": 0.2,
    "hate/threatening": 0.2,
}
# The user waits for this answer in the chat: the SDK's own quick retries are enough.
ONE_TRY = Backoff(attempts=1)


class OpenAIModerator:
    """Refuses descriptions OpenAI flags, or scores above `limits` in child-sensitive categories.

    Fails open on a remote outage: when the moderation call itself fails (network, timeouts, 5xx,
    rate limits, even a bad key) `check` logs a warning and returns. The local word list always
    applies before this, and the image models moderate their own prompts (a refusal there becomes
    PromptRejected too), so an outage of this extra check should not stop every child's page."""

    def __init__(
        self,
        client: openai.OpenAI,
        *,
        model: str = "omni-moderation-latest",
        timeout: float = 5.0,
        limits: Mapping[str, float] = KID_LIMITS,
        retry: Backoff = ONE_TRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._model = model
        self._timeout = timeout
        self._limits = dict(limits)
        self._retry = retry
        self._sleep = sleep

    def check(self, text: str) -> None:
        def once(timeout: float) -> ModerationCreateResponse:
            return self._client.moderations.create(model=self._model, input=text, timeout=timeout)

        try:
            response = call(
                "moderations.create",
                once,
                backoff=self._retry,
                timeout=self._timeout,
                sleep=self._sleep,
            )
        except PromptRejected:
            raise
        except PaintError as exc:
            log.warning(
                "moderation unavailable, allowing the description",
                error=f"{type(exc).__name__}: {redact(str(exc))}",
            )
            return
        reasons = self._reasons(response)
        if reasons:
            raise PromptRejected("unsafe", detail=", ".join(reasons))

    def _reasons(self, response: ModerationCreateResponse) -> list[str]:
        """Flagged category names, then those over a kid limit as `name=score`."""
        if not response.results:
            log.warning("moderation returned no result, allowing the description")
        flagged: list[str] = []
        over: list[str] = []
        for result in response.results:
            categories = result.categories.model_dump(by_alias=True)
            scores = result.category_scores.model_dump(by_alias=True)
            flagged += [name for name, on in categories.items() if on and name not in flagged]
            over += [
                f"{name}={score:.2f}"
                for name, score in scores.items()
                if name not in flagged and name in self._limits and score >= self._limits[name]
            ]
            if result.flagged and not flagged:
                flagged.append("flagged")
        return flagged + over
