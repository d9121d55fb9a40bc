"""`paintbot console` fed a line of 50 MB: answered and skipped in bounded memory, then goes on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")
LINE_MB = 50


def _peak_rss_mb(pid: int) -> float:
    # VmHWM of the running child, not wait4's ru_maxrss: that one also counts the memory of the
    # test process the child was forked from, which is large after the image tests.
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1)) / 1024  # type: ignore[union-attr]


def _answered(child: subprocess.Popen[bytes], out: Path, text: str, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        if text in out.read_text("utf-8", "replace"):
            return True
        time.sleep(0.05)
    return False


def test_a_huge_line_is_answered_in_bounded_memory_and_the_session_goes_on(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env |= {
        "PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
        "PAINTBOT_OUTPUT_DIR": str(tmp_path / "pages"),
        "PAINTBOT_LOG_FORMAT": "json",
    }
    out_path, err_path = tmp_path / "out", tmp_path / "err"
    # Files, not pipes: a child blocked writing its output could never finish reading its input.
    with out_path.open("wb") as out, err_path.open("wb") as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", "console"],
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            cwd=tmp_path,
            env=env,
        )
    assert child.stdin is not None
    try:
        child.stdin.write("/start\nПолучить раскраску\n".encode())
        megabyte = b"x" * 2**20
        for _ in range(LINE_MB):
            child.stdin.write(megabyte)
        child.stdin.write(b"\n/balance\n")
        child.stdin.flush()
        # Once the line after the huge one is answered, the huge one is behind the child, which
        # still runs (its input is open): its high-water mark is there to read.
        answered = _answered(child, out_path, "Бесплатных раскрасок: 10")
        peak_mb = _peak_rss_mb(child.pid) if answered else 0.0
        child.stdin.close()
        code = child.wait(timeout=120)
    except BrokenPipeError:
        answered, peak_mb, code = False, 0.0, child.wait(timeout=120)  # it died: stderr says why
    finally:
        child.kill()  # a no-op once it has exited
        child.wait()

    assert answered and code == 0, err_path.read_text("utf-8")[-2000:]
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB for a {LINE_MB} MB line"
    assert "Слишком длинная строка" in out_path.read_text("utf-8")
