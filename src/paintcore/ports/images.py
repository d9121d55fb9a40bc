"""Image ports: drawing, tracing photos, moderating descriptions, finishing pages."""

from __future__ import annotations

from typing import Protocol

from ..domain.pages import ColoringPage, PageOptions, RenderedImage


class ImageGenerator(Protocol):
    @property
    def name(self) -> str:
        """A short name of the backend and model, for logs and /check."""
        ...

    def generate(self, *, prompt: str, description: str, options: PageOptions) -> RenderedImage:
        """Draw an image for the prompt; GenerationFailed, PromptRejected or RateLimited on failure."""
        ...


class PhotoTracer(Protocol):
    @property
    def name(self) -> str:
        """A short name of the backend, for logs and /check."""
        ...

    def trace(self, *, photo: bytes, prompt: str, options: PageOptions) -> RenderedImage:
        """Turn a photo (JPEG/PNG bytes) into line art; GenerationFailed if the photo is unusable,
        PromptRejected if refused, BackendUnavailable when the backend refuses everyone."""
        ...


class Moderator(Protocol):
    def check(self, text: str) -> None:
        """Return if the description is fine for children; PromptRejected if not."""
        ...


class PageFinisher(Protocol):
    def finish(self, image: RenderedImage, *, title: str, options: PageOptions) -> ColoringPage:
        """Turn a raw image into a printable black-and-white page; GenerationFailed if unusable."""
        ...
