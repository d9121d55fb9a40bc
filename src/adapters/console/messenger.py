"""ConsoleMessenger: prints the bot's messages and writes pages to the output folder."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TextIO

from paintcore.domain.errors import DeliveryFailed
from paintcore.domain.messages import InlineKeyboard, Keyboard
from paintcore.domain.pages import ColoringPage

from .messages import SESSION, MessageIds


def slug(title: str, limit: int = 40) -> str:
    """A file-name-safe version of a description; keeps Cyrillic letters."""
    normal = unicodedata.normalize("NFKC", title).casefold()
    words = re.sub(r"[^\w]+", "-", normal).strip("-_")
    return words[:limit].rstrip("-_") or "page"


class ConsoleMessenger:
    def __init__(
        self, out: TextIO, output_dir: Path, *, prompt: str = "", ids: MessageIds = SESSION
    ) -> None:
        self._out = out
        self._dir = output_dir
        self._prompt = prompt  # set when a person types: redrawn after messages from workers
        self._ids = ids  # shared with the chat: typed lines and posts are numbered together
        self._lock = threading.Lock()  # workers and the reading thread print concurrently

    def send_text(
        self, chat_id: int, text: str, *, keyboard: Keyboard | InlineKeyboard | None = None
    ) -> None:
        self._print([*_speech(text), *_buttons(keyboard)])

    def send_photos(self, chat_id: int, file_ids: Sequence[str]) -> None:
        self._print([f"bot> (photos: {', '.join(file_ids)})"])

    def send_page(self, chat_id: int, page: ColoringPage, *, caption: str) -> None:
        png, pdf = self._write(page)
        self._print([*_speech(caption), f"     picture: {png}", f"     PDF: {pdf}"])

    def working(self, chat_id: int) -> AbstractContextManager[None]:
        return nullcontext()  # the "Рисую…" reply already said it; a terminal needs no spinner

    def answer_callback(self, callback_id: str, text: str = "") -> None:
        if text:
            self._print(_speech(text))

    def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, *, paid: bool = False
    ) -> int:
        text = self._ids.text(from_chat_id, message_id)
        where = f"to chat {chat_id}: " if chat_id != from_chat_id else ""
        paid_note = ", paid" if paid else ""
        head = f"({where}copy of message {message_id} from chat {from_chat_id}{paid_note})"
        self._print(_speech(f"{head} {text}" if text else head))
        return self._ids.next(chat_id, text)

    def post_text(self, chat_id: int, text: str, *, keyboard: InlineKeyboard | None = None) -> int:
        message_id = self._ids.next(chat_id, text)
        self._print([*_speech(text), *_buttons(keyboard)])
        return message_id

    def edit_text(
        self, chat_id: int, message_id: int, text: str, *, keyboard: InlineKeyboard | None = None
    ) -> None:
        self._print([*_speech(f"(edited) {text}"), *_buttons(keyboard)])

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
                try:
                    pdf.write_bytes(page.pdf)
                except OSError:
                    # Both or neither: a failed page is refunded and said to cost nothing,
                    # which is only true if its picture does not stay behind.
                    png.unlink(missing_ok=True)
                    raise
        except OSError as exc:
            raise DeliveryFailed(
                f"cannot write the page to {self._dir}: {exc.strerror or exc}"
            ) from exc
        return png.resolve(), pdf.resolve()

    def _print(self, lines: list[str]) -> None:
        text = "\n".join(lines) + "\n"
        if self._prompt and threading.current_thread() is not threading.main_thread():
            # A page arrives while the person sits at the prompt: write over it, then redraw it.
            text = "\r" + text + self._prompt
        with self._lock:
            self._out.write(text)
            self._out.flush()


def _buttons(keyboard: Keyboard | InlineKeyboard | None) -> list[str]:
    if isinstance(keyboard, Keyboard):
        labels = (label for row in keyboard.rows for label in row)
        return ["     " + "  ".join(f"[{label}]" for label in labels)]
    if isinstance(keyboard, InlineKeyboard):
        # No buttons to press in a terminal: each shows the command that does the same.
        return [
            "     "
            + "  ".join(
                f"[{b.label}: {b.url}]" if b.url else f"[{b.label}: /set {b.data}]" for b in row
            )
            for row in keyboard.rows
        ]
    return []


def _speech(text: str) -> list[str]:
    """The bot's words: the first line marked, the rest indented under it."""
    return [
        ("bot> " if i == 0 else "     ") + line for i, line in enumerate(text.splitlines() or [""])
    ]
