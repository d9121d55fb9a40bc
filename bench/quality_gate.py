"""Quality gate: image-API calls per delivered page and CPU per page over the synthetic corpus.

MakePage runs with the real ColoringPageFinisher and an image API that returns one corpus page
every time and counts its calls: a gate that wrongly flags line art pays for a second drawing.
Before issue 10 (opening with a 2 mm disk, no hollowing) this corpus cost 1.28 calls per page of
line art (bold 2.5-3 mm outlines redrawn at 4-7, 8-12 and adult) and 2.0 per page of fills.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# The corpus lives with the tests (they judge it); a `tests` package some wheels install into
# site-packages shadows the folder as a package, so it goes on the path like telegram_load's.
_TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))

from adapters.pages import ColoringPageFinisher  # noqa: E402
from paintcore.domain.pages import AgeLevel, PageOptions, RenderedImage  # noqa: E402
from paintcore.usecases import MakePage  # noqa: E402
from support.synthetic_pages import CORPUS, CorpusPage, Verdict  # noqa: E402

DESCRIPTION = "кот в шляпе"
LEVELS: tuple[AgeLevel, ...] = tuple(AgeLevel)
GOAL = 1.05  # image-API calls per delivered page of line art


@dataclass
class CountingImageAPI:
    """An image API that always draws the same corpus page; `calls` counts what it was paid."""

    page: RenderedImage
    calls: int = 0

    @property
    def name(self) -> str:
        return "corpus"

    def generate(self, *, prompt: str, description: str, options: PageOptions) -> RenderedImage:
        self.calls += 1
        return self.page


def line_art() -> list[CorpusPage]:
    """The pages a person prints as they are."""
    return [page for page in CORPUS if page.verdict is Verdict.PRINTABLE]


def fills() -> list[CorpusPage]:
    """The pages with filled areas that hollowing should turn into line art."""
    return [page for page in CORPUS if page.hollowable]


def _make_pages(pages: list[CorpusPage], finisher: ColoringPageFinisher) -> dict[str, object]:
    calls, cpu_ms, redrawn = 0, [], []
    for page in pages:
        for level in LEVELS:
            api = CountingImageAPI(page.image())
            make = MakePage(generator=api, finisher=finisher)
            started = time.process_time()
            make(description=DESCRIPTION, options=PageOptions(level=level))
            cpu_ms.append((time.process_time() - started) * 1000)
            calls += api.calls
            if api.calls > 1:
                redrawn.append(f"{page.name} ({level})")
    delivered = len(pages) * len(LEVELS)
    return {
        "calls": calls,
        "delivered": delivered,
        "calls_per_page": round(calls / delivered, 3),
        "cpu_ms_median": round(statistics.median(cpu_ms), 1),
        "redrawn": redrawn,
    }


def _rows(kind: str, result: dict[str, object], goal: str) -> list[dict[str, object]]:
    size = f"{result['delivered']} pages: corpus x {len(LEVELS)} levels"
    return [
        {
            "benchmark": f"quality gate: image-API calls per delivered page, {kind}",
            **result,
            "value": result["calls_per_page"],
            "unit": f"calls/page ({size}{goal})",
        },
        {
            "benchmark": f"quality gate: CPU per delivered page (MakePage + finisher), {kind}",
            **result,
            "value": result["cpu_ms_median"],
            "unit": f"ms CPU (process_time, median of {result['delivered']})",
        },
    ]


def run() -> list[dict[str, object]]:
    finisher = ColoringPageFinisher()
    finisher.finish(CORPUS[0].image(), title="", options=PageOptions())  # warm-up: fonts, pools
    rows = _rows("line art", _make_pages(line_art(), finisher), f"; goal <= {GOAL}")
    return rows + _rows("filled areas", _make_pages(fills(), finisher), "")


if __name__ == "__main__":
    for row in run():
        print(f"{row['benchmark']}: {row['value']} {row['unit']}")
        if row.get("redrawn"):
            print(f"  redrawn: {row['redrawn']}")
