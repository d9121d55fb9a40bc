"""ConsoleChat: every input line is one message from one user to the dialog."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import BinaryIO, TextIO

from paintcore.dialog import IncomingMessage, MessageKind
from paintcore.dialog.texts import Texts, pick_language
from paintcore.domain.users import Profile

from .messages import SESSION, MessageIds

QUIT_COMMANDS = {"/quit", "/exit"}
PROMPT = "you> "
# Bytes of one line, its newline aside: far above any description or broadcast the dialog
# takes, far below what hurts to hold (reading a 100 MB line whole took 1.2 GB).
LINE_LIMIT = 64 * 1024


class ConsoleChat:
    def __init__(
        self,
        handle: Callable[[IncomingMessage], None],
        profile: Profile,
        stdin: BinaryIO,
        prompt_out: TextIO | None = None,
        *,
        out: TextIO | None = None,
        max_line: int = LINE_LIMIT,
        ids: MessageIds = SESSION,
    ) -> None:
        self._handle = handle
        self._profile = profile
        self._stdin = stdin
        self._prompt_out = prompt_out  # only when a person types: scripted input gets no prompts
        self._out = out  # where the chat answers a line it cannot pass on; None: stdout
        self._max_line = max_line
        self._ids = ids  # shared with the messenger, whose posts are messages of the chat too

    def run(self) -> int:
        """Feed lines to the dialog until end of input or /quit; returns how many were handled."""
        handled = 0
        while True:
            if self._prompt_out is not None:
                self._prompt_out.write(PROMPT)
                self._prompt_out.flush()
            raw = self._stdin.readline(self._max_line + 1)
            if not raw:
                return handled
            handled += 1
            if len(raw) > self._max_line and not raw.endswith(b"\n"):
                self._skip_rest_of_line()
                self._too_long()
                continue
            try:
                text: str | None = raw.decode("utf-8").rstrip("\r\n")
                kind = MessageKind.TEXT
            except UnicodeDecodeError:
                text, kind = None, MessageKind.UNREADABLE
            if text is not None and text.strip().casefold() in QUIT_COMMANDS:
                return handled
            chat_id = self._profile.id
            message_id = self._ids.next(chat_id, text)
            self._handle(
                IncomingMessage(handled, chat_id, self._profile, kind, text, message_id=message_id)
            )

    def _skip_rest_of_line(self) -> None:
        # A bounded chunk at a time: the line is never held whole.
        while (chunk := self._stdin.readline(self._max_line)) and not chunk.endswith(b"\n"):
            pass

    def _too_long(self) -> None:
        # The dialog never sees such a line (handing it over means holding it): answered here.
        t = Texts(pick_language(self._profile.language_code, "ru"))
        out = self._out or sys.stdout
        out.write(f"bot> {t('line_too_long')}\n")
        out.flush()
