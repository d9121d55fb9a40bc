"""The benchmarks still run (at a tiny size): CI does not run `nox -s bench`, so this catches rot.
Nothing here is timed; the numbers live in docs/PERFORMANCE.md."""

from __future__ import annotations

import pytest
from bench import __main__ as harness
from bench import core


def test_core_benchmark_runs_and_reports_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "FLOWS", 8)
    monkeypatch.setattr(core, "ROUNDS", 1)
    rows = core.run()
    assert [r["unit"] for r in rows] == ["flows/s", "flows/s", "ratio"]
    assert all(float(r["value"]) > 0 for r in rows)  # type: ignore[arg-type]


def test_the_table_has_a_row_per_result() -> None:
    table = harness.table([{"benchmark": "x", "value": 1, "unit": "ms"}])
    assert table.splitlines()[-1] == "| x | 1 | ms |"
