"""Run every benchmark, print one table, and write it into docs/PERFORMANCE.md."""

from __future__ import annotations

import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from . import core, mongo_round_trips, postprocess, quality_gate, telegram_load

DOC = Path(__file__).resolve().parents[1] / "docs" / "PERFORMANCE.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def table(rows: list[dict[str, object]]) -> str:
    lines = ["| benchmark | value | unit |", "|---|---:|---|"]
    lines += [f"| {r['benchmark']} | {r['value']} | {r['unit']} |" for r in rows]
    return "\n".join(lines)


def main() -> int:
    rows = (
        core.run()
        + mongo_round_trips.run()
        + postprocess.run()
        + quality_gate.run()
        + telegram_load.run()
    )
    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"{BEGIN}\nLast run: {stamp} on {machine}.\n\n{table(rows)}\n{END}"
    print(block)
    if DOC.exists() and BEGIN in DOC.read_text(encoding="utf-8"):
        text = DOC.read_text(encoding="utf-8")
        head, rest = text.split(BEGIN, 1)
        DOC.write_text(head + block + rest.split(END, 1)[1], encoding="utf-8")
        print(f"\nwritten to {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
