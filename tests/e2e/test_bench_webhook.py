"""The webhook benchmark still runs (at a tiny size): `paintbot webhook`, the fake Bot API and the
load generator in processes of their own. Nothing here is timed; the numbers live in
docs/PERFORMANCE.md."""

from __future__ import annotations

import pytest
from bench import webhook

pytestmark = pytest.mark.slow


def test_the_webhook_benchmark_runs_and_reports_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook, "UPDATES", 40)
    monkeypatch.setattr(webhook, "PACED", 16)
    monkeypatch.setattr(webhook, "FLOOD", 40)
    alone = webhook._path_alone
    monkeypatch.setattr(webhook, "_path_alone", lambda: alone(20))
    rows = {str(r["benchmark"]).split(" (")[0].split(", ")[0]: r for r in webhook.run()}
    accepted = rows["webhook: updates accepted per second"]
    assert float(str(accepted["value"])) > 0 and "all 40 answered 200" in str(accepted["unit"])
    assert float(str(rows["webhook: updates handled per second"]["value"])) > 0
    flood = rows["webhook: a flood of 40 wrong-secret requests"]
    assert float(str(flood["value"])) > 0
    outcome = rows["webhook: updates handled because of the flood"]
    assert outcome["value"] == 0 and "exit code after SIGTERM: 0" in str(outcome["unit"])
