"""ConsoleChat: every input line is one message from one user to the dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO, TextIO

from paintcore.dialog import IncomingMessage, MessageKind
from paintcore.domain.users import Profile

QUIT_COMMANDS = {"/quit", "/exit"}
PROMPT = "you> "


class ConsoleChat:
    def __init__(
        self,
        handle: Callable[[IncomingMessage], None],
        profile: Profile,
        stdin: BinaryIO,
        prompt_out: TextIO | None = None,
    ) -> None:
        self._handle = handle
        self._profile = profile
        self._stdin = stdin
        self._prompt_out = prompt_out  # only when a person types: scripted input gets no prompts

    def run(self) -> int:
        """Feed lines to the dialog until end of input or /quit; returns how many were handled."""
        handled = 0
        while True:
            if self._prompt_out is not None:
                self._prompt_out.write(PROMPT)
                self._prompt_out.flush()
            raw = self._stdin.readline()
            if not raw:
                return handled
            handled += 1
            try:
                text: str | None = raw.decode("utf-8").rstrip("\r\n")
                kind = MessageKind.TEXT
            except UnicodeDecodeError:
                text, kind = None, MessageKind.UNREADABLE
            if text is not None and text.strip().casefold() in QUIT_COMMANDS:
                return handled
            self._handle(IncomingMessage(handled, self._profile.id, self._profile, kind, text))
