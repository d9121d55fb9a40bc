"""Fake image backend and page finisher: instant, recordable, and able to fail on demand."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from paintcore.domain.errors import PaintError
from paintcore.domain.pages import ArtKind, ColoringPage, DrawnSubject, PageOptions, RenderedImage
from paintcore.domain.quality import PageQuality


@dataclass
class FakeImageGenerator:
    """Returns a tiny fake image; `prompts` records every request."""

    delay: float = 0.0  # seconds each generation takes (benchmarks, load tests)
    source: str = "fake"
    kind: ArtKind = ArtKind.DESCRIPTION  # what its images show (tests of truthful captions)
    subjects: tuple[DrawnSubject, ...] = ()
    failures: list[PaintError | None] = field(default_factory=list)  # per call; None: succeed
    prompts: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def name(self) -> str:
        return "fake"

    def generate(self, *, prompt: str, description: str, options: PageOptions) -> RenderedImage:
        with self._lock:
            self.prompts.append(prompt)
            failure = self.failures.pop(0) if self.failures else None
        if self.delay:
            time.sleep(self.delay)
        if failure is not None:
            raise failure
        return RenderedImage(
            data=f"image of {description}".encode(),
            source=self.source,
            kind=self.kind,
            subjects=self.subjects,
        )


@dataclass
class FakePageFinisher:
    """Wraps the fake image into a page without touching pixels; `qualities` (used in order)
    are what it reports as measured, so tests can make a page look bad."""

    failures: list[PaintError] = field(default_factory=list)
    qualities: list[PageQuality] = field(default_factory=list)

    def finish(self, image: RenderedImage, *, title: str, options: PageOptions) -> ColoringPage:
        if self.failures:
            raise self.failures.pop(0)
        return ColoringPage(
            title=title,
            png=b"PNG:" + image.data,
            pdf=b"%PDF:" + image.data,
            width=2480,
            height=3508,
            source=image.source,
            quality=self.qualities.pop(0) if self.qualities else None,
            kind=image.kind,
            subjects=image.subjects,
        )


@dataclass
class FakePhotoTracer:
    """Returns a fake line drawing of the photo; `photos` records what it was given."""

    failures: list[PaintError] = field(default_factory=list)
    photos: list[bytes] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "fake-photo"

    def trace(self, *, photo: bytes, prompt: str, options: PageOptions) -> RenderedImage:
        self.photos.append(photo)
        self.prompts.append(prompt)
        if self.failures:
            raise self.failures.pop(0)
        return RenderedImage(data=b"traced " + photo[:16], source="fake-photo", kind=ArtKind.PHOTO)
