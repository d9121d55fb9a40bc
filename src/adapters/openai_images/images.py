"""OpenAI image generation and photo editing as the ImageGenerator and PhotoTracer ports."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from typing import Literal

import openai
from openai.types import ImagesResponse

from paintcore.domain.errors import GenerationFailed
from paintcore.domain.pages import ArtKind, PageOptions, RenderedImage

from .boundary import Backoff, call

Quality = Literal["low", "medium", "high", "auto"]

# A4 and Letter are portrait; 1024x1536 is the portrait size every GPT image model accepts, and
# the page finisher fits it to the sheet.
PORTRAIT = "1024x1536"
# openai 3.54 (types/image_model.py): DALL·E 2/3 retired on 2026-05-12, gpt-image-1 shut down on
# 2026-10-23. Failing at start-up beats every page failing later.
RETIRED_MODELS = frozenset({"dall-e-2", "dall-e-3", "gpt-image-1"})


def image_kind(data: bytes) -> tuple[str, str] | None:
    """(file extension, MIME type) of PNG, JPEG or WebP bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


def _current(model: str) -> str:
    if not model.strip():
        raise ValueError("an image model name is required")
    if model in RETIRED_MODELS:
        raise ValueError(f"OpenAI image model {model!r} is retired; use a current GPT image model")
    return model


def photo_file(photo: bytes) -> tuple[str, bytes, str]:
    """The multipart file tuple for a photo; GenerationFailed unless it is a PNG, JPEG or WebP."""
    kind = image_kind(photo)
    if kind is None:
        raise GenerationFailed("the photo is not a PNG, JPEG or WebP image")
    extension, mime = kind
    return f"photo.{extension}", photo, mime


def first_image(response: ImagesResponse, what: str) -> bytes:
    """The decoded bytes of the first image; GenerationFailed if there is none or it is no image."""
    encoded = next((i.b64_json for i in response.data or [] if i.b64_json), None)
    if encoded is None:
        raise GenerationFailed(f"{what}: the response holds no image")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise GenerationFailed(f"{what}: the image is not valid base64") from None
    if image_kind(data) is None:
        raise GenerationFailed(f"{what}: the response is not a PNG, JPEG or WebP image")
    return data


class _ImageModel:
    """What the generator and the tracer share: the client, the model and how to call it."""

    def __init__(
        self,
        client: openai.OpenAI,
        *,
        model: str,
        timeout: float = 120.0,
        quality: Quality = "medium",
        retry: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._model = _current(model)
        self._timeout = timeout
        self._quality: Quality = quality
        self._retry = retry or Backoff()
        self._sleep = sleep
        self._clock = clock

    @property
    def name(self) -> str:
        return f"openai:{self._model}"

    def _call(
        self, what: str, fn: Callable[[float], ImagesResponse], kind: ArtKind = ArtKind.DESCRIPTION
    ) -> RenderedImage:
        response = call(
            what,
            fn,
            backoff=self._retry,
            timeout=self._timeout,
            sleep=self._sleep,
            clock=self._clock,
        )
        return RenderedImage(data=first_image(response, what), source=self.name, kind=kind)


class OpenAIImageGenerator(_ImageModel):
    """Draws pages with a GPT image model (images.generate); retries transient failures.

    GPT image models always answer in base64 and refuse `response_format`, so it is never sent."""

    def generate(self, *, prompt: str, description: str, options: PageOptions) -> RenderedImage:
        # `description` is already inside the prompt the core built; options only shape the prompt.
        def once(timeout: float) -> ImagesResponse:
            return self._client.images.generate(
                model=self._model,
                prompt=prompt,
                size=PORTRAIT,
                n=1,
                output_format="png",
                background="opaque",  # paper is white: a transparent page prints as nothing
                quality=self._quality,
                timeout=timeout,
            )

        return self._call("images.generate", once)


class OpenAIPhotoTracer(_ImageModel):
    """Turns a photo into line art with a GPT image model (images.edit, multipart upload)."""

    def trace(self, *, photo: bytes, prompt: str, options: PageOptions) -> RenderedImage:
        upload = photo_file(photo)

        def once(timeout: float) -> ImagesResponse:
            # bytes, not a stream: the SDK can only replay a seekable body on its own retries.
            return self._client.images.edit(
                model=self._model,
                image=upload,
                prompt=prompt,
                size=PORTRAIT,
                n=1,
                output_format="png",
                background="opaque",
                quality=self._quality,
                timeout=timeout,
            )

        return self._call("images.edit", once, ArtKind.PHOTO)
