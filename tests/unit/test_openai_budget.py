"""One OpenAI drawing ends within the retry budget: no try starts past it, no request outlasts it."""

from __future__ import annotations

import httpx2
import openai
import pytest

from adapters.openai_images.boundary import Backoff, call
from paintcore.domain.errors import GenerationFailed


class SlowAPI:
    """Every request takes as long as it is allowed to, then times out; time is simulated."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timeouts: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def request(self, timeout: float) -> str:
        self.timeouts.append(timeout)
        self.now += timeout
        raise openai.APITimeoutError(request=httpx2.Request("POST", "https://api.example/v1"))


def test_each_try_gets_at_most_what_is_left_of_the_budget_and_the_call_ends_within_it() -> None:
    api = SlowAPI()
    backoff = Backoff(attempts=3, base=1.0, jitter=0.0, budget=300.0)

    with pytest.raises(GenerationFailed, match="timed out"):
        call(
            "images.generate",
            api.request,
            backoff=backoff,
            timeout=120.0,
            sleep=api.sleep,
            clock=api.clock,
        )

    # 120 s, a 1 s wait, 120 s, a 2 s wait, then only the 57 s left of the 300 s budget.
    assert api.timeouts == [120.0, 120.0, 57.0]
    assert api.now <= backoff.budget


def test_a_short_call_keeps_its_own_timeout() -> None:
    api = SlowAPI()
    answers = iter([ValueError, None])

    def once(timeout: float) -> str:
        api.timeouts.append(timeout)
        if next(answers) is not None:
            raise openai.APIConnectionError(request=httpx2.Request("POST", "https://api.example"))
        return "ok"

    backoff = Backoff(attempts=3, base=0.5, jitter=0.0, budget=300.0)
    assert (
        call(
            "moderations.create",
            once,
            backoff=backoff,
            timeout=5.0,
            sleep=api.sleep,
            clock=api.clock,
        )
        == "ok"
    )
    assert api.timeouts == [5.0, 5.0]
