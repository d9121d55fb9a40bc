"""MakePage: draw (or trace a photo) and finish one page; below the quality rules, once more."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..domain.errors import GenerationFailed, PaintError
from ..domain.pages import ColoringPage, PageOptions
from ..domain.prompts import page_prompt, photo_prompt
from ..domain.quality import QualityRules
from ..ports import ImageGenerator, PageFinisher, PhotoTracer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MakePage:
    generator: ImageGenerator
    finisher: PageFinisher
    tracer: PhotoTracer | None = None
    quality: QualityRules = field(default_factory=QualityRules)

    def __call__(
        self,
        *,
        description: str,
        options: PageOptions,
        photo: bytes | None = None,
        job_id: str = "",
    ) -> ColoringPage:
        """The finished page (the better of two attempts when the first is below the rules);
        GenerationFailed, PromptRejected, RateLimited or BackendUnavailable from the backends."""
        if photo is not None and self.tracer is None:
            raise GenerationFailed("pages from photos are not set up here")
        first = self._attempt(description, options, photo)
        problems = self.quality.problems(first.quality) if first.quality else []
        if not problems:
            return first
        log.info(
            "page below quality, drawing again", extra={"job_id": job_id, "problems": problems}
        )
        try:
            second = self._attempt(description, options, photo)
        except PaintError as exc:  # the first page is still a page: deliver it
            log.warning("second attempt failed", extra={"job_id": job_id, "error": str(exc)})
            return first
        better = max((second, first), key=lambda page: self.quality.score(page.quality))
        log.info("kept the better attempt", extra={"job_id": job_id, "second": better is second})
        return better

    def _attempt(self, description: str, options: PageOptions, photo: bytes | None) -> ColoringPage:
        if photo is not None and self.tracer is not None:
            image = self.tracer.trace(photo=photo, prompt=photo_prompt(options), options=options)
        else:
            image = self.generator.generate(
                prompt=page_prompt(description, options), description=description, options=options
            )
        return self.finisher.finish(image, title=description, options=options)
