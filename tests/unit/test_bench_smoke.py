"""The benchmarks still run (at a tiny size): CI does not run `nox -s bench`, so this catches rot.
Nothing here is timed; the numbers live in docs/PERFORMANCE.md."""

from __future__ import annotations

import pytest
from bench import __main__ as harness
from bench import core, mongo_round_trips, postprocess, quality_gate

from paintcore.domain.pages import AgeLevel
from support.synthetic_pages import PAGES


def test_core_benchmark_runs_and_reports_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "FLOWS", 8)
    monkeypatch.setattr(core, "ROUNDS", 1)
    rows = core.run()
    assert [r["unit"] for r in rows] == ["flows/s", "flows/s", "ratio"]
    assert all(float(r["value"]) > 0 for r in rows)  # type: ignore[arg-type]


def test_the_round_trip_benchmark_runs_and_reports_a_count_per_flow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mongo_round_trips, "USERS", 2)
    monkeypatch.delenv(mongo_round_trips.SERVER_VARIABLE, raising=False)
    rows = mongo_round_trips.run()
    assert len(rows) == len(mongo_round_trips.BUDGETS)
    assert all(int(str(r["value"])) > 0 and "mongomock" in str(r["unit"]) for r in rows)


def test_the_quality_gate_benchmark_counts_image_api_calls_per_delivered_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    corpus = (PAGES["bold outlines 2.5 mm"], PAGES["black cat silhouette"])
    monkeypatch.setattr(quality_gate, "CORPUS", corpus)
    monkeypatch.setattr(quality_gate, "LEVELS", (AgeLevel.KIDS,))
    rows = quality_gate.run()
    assert [str(r["unit"]).split()[0] for r in rows] == ["calls/page", "ms", "calls/page", "ms"]
    # Neither page is drawn twice: the bold outlines pass, the silhouette is hollowed.
    assert [r["value"] for r in rows[::2]] == [1.0, 1.0]
    assert all(float(str(r["value"])) > 0 for r in rows[1::2])


def test_the_offline_subject_page_benchmark_times_drawing_and_whole_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postprocess, "RUNS", 1)
    monkeypatch.setattr(postprocess, "SUBJECTS", ("кот в шляпе",))
    rows = postprocess._subject_rows()
    assert [str(r["benchmark"]).split(",")[0].split(" «")[0] for r in rows] == [
        "offline subject page",
        "offline subject drawing 1200x1600",
        "offline subject page",
    ]
    assert all(float(str(r["value"])) > 0 for r in rows)


def test_the_table_has_a_row_per_result() -> None:
    table = harness.table([{"benchmark": "x", "value": 1, "unit": "ms"}])
    assert table.splitlines()[-1] == "| x | 1 | ms |"
