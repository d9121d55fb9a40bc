"""The OpenAI adapters with the real openai SDK over real HTTP against FakeOpenAI: what is sent,
what comes back, and how OpenAI's errors become core errors after our retries."""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import Iterator

import pytest

from adapters.openai_images import (
    Backoff,
    OpenAIImageGenerator,
    OpenAIModerator,
    OpenAIPhotoTracer,
    make_client,
)
from paintcore.domain.errors import (
    BackendUnavailable,
    GenerationFailed,
    PromptRejected,
    RateLimited,
)
from paintcore.domain.pages import PageOptions
from support.fake_openai import FakeOpenAI, line_art_png

MODEL = "gpt-image-2.5-sunburst"
GENERATIONS, EDITS, MODERATIONS = "images/generations", "images/edits", "moderations"
FAST = Backoff(attempts=3, base=1.0, cap=20.0, jitter=0.0)  # waits are recorded, never slept
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) + b"\r\n--not-a-boundary\r\n"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def generator(
    fake: FakeOpenAI | str,
    slept: list[float],
    *,
    retry: Backoff = FAST,
    max_retries: int = 0,
    timeout: float = 2.0,
) -> OpenAIImageGenerator:
    base_url = fake if isinstance(fake, str) else fake.base_url
    client = make_client(api_key="sk-test", base_url=base_url, timeout=2, max_retries=max_retries)
    return OpenAIImageGenerator(
        client, model=MODEL, timeout=timeout, retry=retry, sleep=slept.append
    )


def tracer(fake: FakeOpenAI, slept: list[float]) -> OpenAIPhotoTracer:
    client = make_client(api_key="sk-test", base_url=fake.base_url, timeout=2, max_retries=0)
    return OpenAIPhotoTracer(client, model=MODEL, retry=FAST, sleep=slept.append)


def moderator(fake: FakeOpenAI, *, timeout: float = 2.0) -> OpenAIModerator:
    client = make_client(api_key="sk-test", base_url=fake.base_url, timeout=2, max_retries=0)
    return OpenAIModerator(client, timeout=timeout)


def draw(g: OpenAIImageGenerator, prompt: str = "Coloring page: a cat in a hat") -> bytes:
    return g.generate(prompt=prompt, description="кот в шляпе", options=PageOptions()).data


# -- what is sent, what comes back -------------------------------------------------------------


def test_generation_asks_the_model_for_one_portrait_png_without_response_format(
    fake: FakeOpenAI,
) -> None:
    image = generator(fake, []).generate(
        prompt="Coloring page: кот в шляпе", description="кот в шляпе", options=PageOptions()
    )
    [request] = fake.requests_to(GENERATIONS)
    sent = request.json or {}
    assert sent["model"] == MODEL and sent["prompt"] == "Coloring page: кот в шляпе"
    assert sent["size"] == "1024x1536" and sent["n"] == 1
    assert "response_format" not in sent and "style" not in sent
    assert sent["output_format"] == "png" and sent["background"] == "opaque"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert image.data == fake.image and image.source == f"openai:{MODEL}"


def test_generator_is_named_after_its_model(fake: FakeOpenAI) -> None:
    assert generator(fake, []).name == "openai:gpt-image-2.5-sunburst"


@pytest.mark.parametrize("model", ["dall-e-3", "dall-e-2", "gpt-image-1", " "])
def test_retired_or_empty_models_are_refused_at_construction(model: str) -> None:
    client = make_client(api_key="sk-test", base_url="http://127.0.0.1:9/v1", timeout=1)
    with pytest.raises(ValueError):
        OpenAIImageGenerator(client, model=model)
    with pytest.raises(ValueError):
        OpenAIPhotoTracer(client, model=model)


def test_a_photo_is_uploaded_as_multipart_with_its_bytes_name_and_type(fake: FakeOpenAI) -> None:
    image = tracer(fake, []).trace(photo=JPEG, prompt="Trace as line art", options=PageOptions())
    [request] = fake.requests_to(EDITS)
    [upload] = request.uploads
    assert (upload.field, upload.filename, upload.content_type) == (
        "image",
        "photo.jpg",
        "image/jpeg",
    )
    assert upload.data == JPEG
    assert request.form["model"] == MODEL and request.form["prompt"] == "Trace as line art"
    assert request.form["size"] == "1024x1536" and "response_format" not in request.form
    assert request.headers["authorization"] == "Bearer sk-test"
    assert image.data == fake.image and image.source == f"openai:{MODEL}"


def test_a_png_photo_is_named_and_typed_as_png(fake: FakeOpenAI) -> None:
    photo = line_art_png(32, 32)
    tracer(fake, []).trace(photo=photo, prompt="Trace", options=PageOptions())
    [upload] = fake.requests_to(EDITS)[0].uploads
    assert (upload.filename, upload.content_type, upload.data) == ("photo.png", "image/png", photo)


def test_a_photo_that_is_no_image_fails_without_calling_openai(fake: FakeOpenAI) -> None:
    with pytest.raises(GenerationFailed):
        tracer(fake, []).trace(photo=b"GIF89a...", prompt="Trace", options=PageOptions())
    assert fake.requests == []


@pytest.mark.parametrize(
    "body",
    [
        {"created": 1, "data": []},
        {"created": 1},
        {"created": 1, "data": [{"url": "https://example.com/x.png"}]},
        {"created": 1, "data": [{"b64_json": "not base64!"}]},
        {"created": 1, "data": [{"b64_json": base64.b64encode(b"hello").decode()}]},
    ],
    ids=["empty", "no-data", "url-only", "bad-base64", "not-an-image"],
)
def test_a_response_without_a_usable_image_is_a_generation_failure(
    fake: FakeOpenAI, body: dict[str, object]
) -> None:
    fake.respond(GENERATIONS, body)
    slept: list[float] = []
    with pytest.raises(GenerationFailed) as caught:
        draw(generator(fake, slept))
    assert type(caught.value) is GenerationFailed and slept == []


# -- retries: ours on top of the SDK's ---------------------------------------------------------


def test_a_429_is_retried_after_the_servers_retry_after(fake: FakeOpenAI) -> None:
    fake.fail(GENERATIONS, status=429, retry_after=7, message="Rate limit reached for images")
    slept: list[float] = []
    assert draw(generator(fake, slept)) == fake.image
    assert slept == [7.0] and [r.status for r in fake.requests] == [429, 200]


def test_429_on_every_try_becomes_rate_limited(fake: FakeOpenAI) -> None:
    fake.fail(GENERATIONS, status=429, times=None, retry_after=3)
    slept: list[float] = []
    with pytest.raises(RateLimited) as caught:
        draw(generator(fake, slept))
    assert caught.value.retry_after == 3.0 and slept == [3.0, 3.0]
    assert len(fake.requests_to(GENERATIONS)) == 3


def test_a_retry_after_beyond_our_cap_is_handed_to_the_caller_at_once(fake: FakeOpenAI) -> None:
    fake.fail(GENERATIONS, status=429, times=None, retry_after=90)
    slept: list[float] = []
    with pytest.raises(RateLimited) as caught:
        draw(generator(fake, slept))
    assert caught.value.retry_after == 90.0 and slept == []
    assert len(fake.requests) == 1


def test_server_errors_back_off_exponentially_then_succeed(fake: FakeOpenAI) -> None:
    fake.fail(GENERATIONS, status=500, times=1, message="The server had an error")
    fake.fail(GENERATIONS, status=503, times=1)
    slept: list[float] = []
    assert draw(generator(fake, slept)) == fake.image
    assert slept == [1.0, 2.0] and [r.status for r in fake.requests] == [500, 503, 200]


def test_jittered_waits_stay_between_half_and_all_of_the_exponential_step() -> None:
    backoff = Backoff(base=1.0, cap=20.0, jitter=0.5)
    waits = [backoff.delay(attempt) for attempt in range(6) for _ in range(50)]
    steps = [min(20.0, 2.0**attempt) for attempt in range(6) for _ in range(50)]
    assert all(step / 2 <= wait <= step for wait, step in zip(waits, steps, strict=True))
    assert len(set(waits)) > 1


def test_server_errors_on_every_try_become_a_generation_failure(fake: FakeOpenAI) -> None:
    fake.fail(GENERATIONS, status=502, times=None)
    slept: list[float] = []
    with pytest.raises(GenerationFailed) as caught:
        draw(generator(fake, slept))
    assert type(caught.value) is GenerationFailed and "502" in str(caught.value)
    assert slept == [1.0, 2.0] and len(fake.requests) == 3


def test_the_sdks_own_retries_run_inside_each_of_ours(fake: FakeOpenAI) -> None:
    fake.fail(GENERATIONS, status=500, times=2, retry_after=0.01)
    slept: list[float] = []
    assert draw(generator(fake, slept, max_retries=1)) == fake.image
    # The SDK retried the first 500 by itself; only the second reached our backoff.
    assert slept == [0.01] and [r.status for r in fake.requests] == [500, 500, 200]
    retry_counts = [r.headers["x-stainless-retry-count"] for r in fake.requests]
    assert retry_counts == ["0", "1", "0"]


def test_timeouts_are_retried_then_become_a_generation_failure(fake: FakeOpenAI) -> None:
    fake.stall(GENERATIONS, seconds=5, times=None)
    slept: list[float] = []
    with pytest.raises(GenerationFailed) as caught:
        draw(generator(fake, slept, retry=Backoff(attempts=2, jitter=0.0), timeout=0.2))
    assert "timed out" in str(caught.value) and slept == [1.0]
    assert len(fake.requests_to(GENERATIONS)) == 2


def test_a_timeout_then_an_answer_succeeds(fake: FakeOpenAI) -> None:
    fake.stall(GENERATIONS, seconds=5)
    slept: list[float] = []
    assert draw(generator(fake, slept, timeout=0.2)) == fake.image and slept == [1.0]


def test_an_unreachable_server_is_retried_then_fails() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    slept: list[float] = []
    with pytest.raises(GenerationFailed) as caught:
        draw(generator(url, slept))
    assert "connect" in str(caught.value) and slept == [1.0, 2.0]


def test_no_try_starts_after_the_time_budget(fake: FakeOpenAI) -> None:
    fake.fail(GENERATIONS, status=500, times=None)
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    client = make_client(api_key="sk-test", base_url=fake.base_url, timeout=2, max_retries=0)
    budget = Backoff(attempts=5, base=4.0, jitter=0.0, budget=10.0)
    g = OpenAIImageGenerator(client, model=MODEL, retry=budget, sleep=sleep, clock=lambda: now[0])
    with pytest.raises(GenerationFailed):
        draw(g)
    assert slept == [4.0] and len(fake.requests) == 2  # a wait of 8 more would end at 12 > 10


# -- errors that no retry fixes ----------------------------------------------------------------


@pytest.mark.parametrize("code", ["moderation_blocked", "content_policy_violation"])
def test_a_refused_prompt_is_rejected_as_unsafe_and_not_retried(
    fake: FakeOpenAI, code: str
) -> None:
    message = "Your request was rejected as a result of our safety system."
    fake.fail(GENERATIONS, status=400, code=code, message=message)
    slept: list[float] = []
    with pytest.raises(PromptRejected) as caught:
        draw(generator(fake, slept))
    assert caught.value.reason == "unsafe" and code in caught.value.detail
    assert "safety system" in caught.value.detail
    assert slept == [] and len(fake.requests) == 1


def test_a_refused_photo_edit_is_rejected_as_unsafe(fake: FakeOpenAI) -> None:
    fake.fail(EDITS, status=400, code="moderation_blocked")
    with pytest.raises(PromptRejected):
        tracer(fake, []).trace(photo=JPEG, prompt="Trace", options=PageOptions())


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (401, "invalid_api_key"),
        (401, None),
        (403, None),
        (429, "insufficient_quota"),
        (400, "billing_hard_limit_reached"),
        (404, "model_not_found"),
    ],
)
def test_account_problems_make_the_backend_unavailable_without_retries(
    fake: FakeOpenAI, status: int, code: str | None
) -> None:
    fake.fail(GENERATIONS, status=status, code=code, times=None, retry_after=1)
    slept: list[float] = []
    with pytest.raises(BackendUnavailable) as caught:
        draw(generator(fake, slept))
    assert str(status) in str(caught.value)
    assert slept == [] and len(fake.requests) == 1


def test_a_photo_edit_with_a_bad_key_makes_the_backend_unavailable(fake: FakeOpenAI) -> None:
    fake.fail(EDITS, status=401, code="invalid_api_key")
    with pytest.raises(BackendUnavailable):
        tracer(fake, []).trace(photo=JPEG, prompt="Trace", options=PageOptions())


def test_other_bad_requests_fail_once_without_blaming_the_prompt_or_the_account(
    fake: FakeOpenAI,
) -> None:
    fake.fail(GENERATIONS, status=400, code="invalid_value", param="size")
    slept: list[float] = []
    with pytest.raises(GenerationFailed) as caught:
        draw(generator(fake, slept))
    assert type(caught.value) is GenerationFailed and "invalid_value" in str(caught.value)
    assert slept == [] and len(fake.requests) == 1


def test_the_api_key_never_reaches_errors_or_logs(
    fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail(GENERATIONS, status=500, message="upstream hiccup for key sk-test")
    fake.fail(GENERATIONS, status=401, message="Incorrect API key provided: sk-test.")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(BackendUnavailable) as caught:
        draw(generator(fake, []))
    assert "Incorrect API key" in str(caught.value) and "retrying" in caplog.text
    assert "sk-test" not in str(caught.value) and "sk-test" not in caplog.text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_make_client_finds_the_server_in_openai_base_url(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    client = make_client(api_key="sk-env", timeout=2, max_retries=0)
    assert draw(OpenAIImageGenerator(client, model=MODEL)) == fake.image
    assert fake.requests[0].headers["authorization"] == "Bearer sk-env"


def test_make_client_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError):
        make_client(api_key=" ", timeout=1)


# -- moderation --------------------------------------------------------------------------------


def test_fine_text_passes_moderation_and_is_sent_with_the_model(fake: FakeOpenAI) -> None:
    moderator(fake).check("кот в шляпе")
    [request] = fake.requests_to(MODERATIONS)
    assert request.json == {"model": "omni-moderation-latest", "input": "кот в шляпе"}
    assert request.headers["authorization"] == "Bearer sk-test" and request.status == 200


def test_flagged_text_is_rejected_naming_the_categories(fake: FakeOpenAI) -> None:
    fake.flag(["axe"], category="violence")
    fake.flag(["gore"], category="violence/graphic")
    with pytest.raises(PromptRejected) as caught:
        moderator(fake).check("a knight with an AXE and gore")
    assert caught.value.reason == "unsafe"
    assert caught.value.detail.startswith("violence, violence/graphic")


@pytest.mark.parametrize("category", ["sexual", "violence/graphic", "self-harm"])
def test_child_sensitive_scores_are_refused_below_openais_flag(
    fake: FakeOpenAI, category: str
) -> None:
    fake.score("mermaid", {category: 0.3})  # under the fake's 0.5 flag line
    with pytest.raises(PromptRejected) as caught:
        moderator(fake).check("a mermaid")
    assert caught.value.detail == f"{category}=0.30"


def test_plain_violence_below_the_flag_is_fine_for_a_coloring_page(fake: FakeOpenAI) -> None:
    fake.score("dragon", {"violence": 0.4})
    moderator(fake).check("a knight fighting a dragon")
    assert fake.requests_to(MODERATIONS)[0].status == 200


@pytest.mark.parametrize(
    ("status", "code", "logged"),
    [
        (500, None, "HTTP 500"),
        (503, None, "HTTP 503"),
        (429, None, "RateLimited"),
        (401, "invalid_api_key", "BackendUnavailable"),
    ],
)
def test_moderation_outage_lets_the_text_through_with_a_warning(
    fake: FakeOpenAI, caplog: pytest.LogCaptureFixture, status: int, code: str | None, logged: str
) -> None:
    fake.fail(MODERATIONS, status=status, code=code, times=None)
    with caplog.at_level(logging.WARNING):
        moderator(fake).check("кот в шляпе")
    assert len(fake.requests_to(MODERATIONS)) == 1
    [record] = [r for r in caplog.records if "moderation unavailable" in r.getMessage()]
    assert record.levelno == logging.WARNING and logged in record.getMessage()


def test_moderation_timeout_lets_the_text_through_with_a_warning(
    fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    fake.stall(MODERATIONS, seconds=5)
    with caplog.at_level(logging.WARNING):
        moderator(fake, timeout=0.2).check("кот в шляпе")
    assert "timed out" in caplog.text
