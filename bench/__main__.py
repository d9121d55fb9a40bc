"""Run the benchmarks, print their tables, and write each into docs/PERFORMANCE.md.

`python -m bench` runs every section; `python -m bench broadcasts` (or `nox -s bench --
broadcasts`) runs only the sections named. Each section's table lives between its own markers.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from . import (
    broadcasts,
    core,
    mongo_round_trips,
    postprocess,
    quality_gate,
    telegram_load,
    webhook,
    workers,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "PERFORMANCE.md"
Rows = list[dict[str, object]]
# Section name -> its markers in DOC and its benchmarks, in order.
SECTIONS: dict[str, tuple[str, str, tuple[Callable[[], Rows], ...]]] = {
    "latest": (
        "<!-- bench:begin -->",
        "<!-- bench:end -->",
        (core.run, mongo_round_trips.run, postprocess.run, quality_gate.run, telegram_load.run),
    ),
    "broadcasts": (
        "<!-- bench:broadcasts:begin -->",
        "<!-- bench:broadcasts:end -->",
        (broadcasts.run,),
    ),
    "workers": (
        "<!-- bench:workers:begin -->",
        "<!-- bench:workers:end -->",
        (workers.run,),
    ),
    "webhook": (
        "<!-- bench:webhook:begin -->",
        "<!-- bench:webhook:end -->",
        (webhook.run,),
    ),
}


def table(rows: Rows) -> str:
    lines = ["| benchmark | value | unit |", "|---|---:|---|"]
    lines += [f"| {r['benchmark']} | {r['value']} | {r['unit']} |" for r in rows]
    return "\n".join(lines)


def write(begin: str, end: str, block: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if begin not in text or end not in text:
        print(f"\n{begin} ... {end} not found in {DOC}: not written", file=sys.stderr)
        return
    head, rest = text.split(begin, 1)
    DOC.write_text(head + block + rest.split(end, 1)[1], encoding="utf-8")
    print(f"\nwritten to {DOC}", file=sys.stderr)


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in SECTIONS]
    if unknown:
        print(f"unknown section(s) {unknown}; known: {list(SECTIONS)}", file=sys.stderr)
        return 2
    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    )
    for name in names or list(SECTIONS):
        begin, end, benchmarks = SECTIONS[name]
        rows = [row for benchmark in benchmarks for row in benchmark()]
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        block = f"{begin}\nLast run: {stamp} on {machine}.\n\n{table(rows)}\n{end}"
        print(block)
        write(begin, end, block)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
