"""ConsoleMessenger: prints the bot's messages and writes pages to the output folder."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from paintcore.domain.errors import DeliveryFailed
from paintcore.domain.messages import Keyboard
from paintcore.domain.pages import ColoringPage


def slug(title: str, limit: int = 40) -> str:
    """A file-name-safe version of a description; keeps Cyrillic letters."""
    normal = unicodedata.normalize("NFKC", title).casefold()
    words = re.sub(r"[^\w]+", "-", normal).strip("-_")
    return words[:limit].rstrip("-_") or "page"


class ConsoleMessenger:
    def __init__(self, out: TextIO, output_dir: Path) -> None:
        self._out = out
        self._dir = output_dir
        self._lock = threading.Lock()  # workers and the reading thread print concurrently

    def send_text(self, chat_id: int, text: str, *, keyboard: Keyboard | None = None) -> None:
        lines = [
            f"bot> {line}" if i == 0 else f"     {line}" for i, line in enumerate(text.splitlines())
        ]
        if keyboard is not None:
            lines.append(
                "     " + "  ".join(f"[{label}]" for row in keyboard.rows for label in row)
            )
        self._print(lines)

    def send_photos(self, chat_id: int, file_ids: Sequence[str]) -> None:
        self._print([f"bot> (photos: {', '.join(file_ids)})"])

    def send_page(self, chat_id: int, page: ColoringPage, *, caption: str) -> None:
        png, pdf = self._write(page)
        self._print([f"bot> {caption}", f"     picture: {png}", f"     PDF: {pdf}"])

    def _write(self, page: ColoringPage) -> tuple[Path, Path]:
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            with self._lock:
                base = slug(page.title)
                n = 1
                while (self._dir / f"{base}-{n}.png").exists():
                    n += 1
                png, pdf = self._dir / f"{base}-{n}.png", self._dir / f"{base}-{n}.pdf"
                png.write_bytes(page.png)
                pdf.write_bytes(page.pdf)
        except OSError as exc:
            raise DeliveryFailed(
                f"cannot write the page to {self._dir}: {exc.strerror or exc}"
            ) from exc
        return png.resolve(), pdf.resolve()

    def _print(self, lines: list[str]) -> None:
        with self._lock:
            self._out.write("\n".join(lines) + "\n")
            self._out.flush()
