"""Image work: offline pattern generation and 1024x1536 -> printable page post-processing, ms."""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable

from adapters.offline_images import OfflinePatternGenerator
from adapters.pages import ColoringPageFinisher
from paintcore.domain.pages import AgeLevel, PageOptions, Paper, Style

RUNS = 10
DESCRIPTION = "кот в шляпе едет на велосипеде"


def _median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    action()  # warm-up: font loading and first-call allocations are not per-page costs
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def _row(name: str, median_ms: float) -> dict[str, object]:
    # value/unit feed the table in bench/__main__; median_ms/runs keep the raw measurement.
    return {
        "benchmark": name,
        "median_ms": median_ms,
        "runs": RUNS,
        "value": median_ms,
        "unit": f"ms (median of {RUNS})",
    }


def run() -> list[dict[str, object]]:
    generator = OfflinePatternGenerator()
    finisher = ColoringPageFinisher()
    rows = []
    for style, level in ((Style.MANDALA, AgeLevel.ADULT), (Style.CARTOON, AgeLevel.KIDS)):
        options = PageOptions(level=level, style=style)
        ms = _median_ms(
            functools.partial(
                generator.generate, prompt="", description=DESCRIPTION, options=options
            )
        )
        rows.append(_row(f"offline generate 1024x1536 ({style}, {level})", ms))
    source = generator.generate(
        prompt="", description=DESCRIPTION, options=PageOptions(AgeLevel.ADULT, Style.MANDALA)
    )
    for paper, level in (
        (Paper.A4, AgeLevel.ADULT),
        (Paper.A4, AgeLevel.TODDLER),
        (Paper.LETTER, AgeLevel.KIDS),
    ):
        options = PageOptions(level=level, style=Style.MANDALA, paper=paper)
        ms = _median_ms(
            functools.partial(finisher.finish, source, title=DESCRIPTION, options=options)
        )
        rows.append(_row(f"post-process 1024x1536 -> {paper.name} ({level}), PNG+PDF", ms))
    return rows
