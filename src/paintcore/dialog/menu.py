"""The main menu and how typed text is recognised as one of its buttons or as a command."""

from __future__ import annotations

from ..domain.messages import Keyboard
from .texts import Texts, labels

GET_PAGE = "button_get_page"
SUPPORT = "button_support"
SETTINGS = "button_settings"
BUY = "button_buy"
_BUTTONS = (GET_PAGE, SUPPORT, SETTINGS, BUY)
_LABELS = {key: labels(key) for key in _BUTTONS}


def main_menu(t: Texts) -> Keyboard:
    return Keyboard(rows=((t(GET_PAGE),), (t(BUY),), (t(SETTINGS), t(SUPPORT))))


def button_of(text: str) -> str | None:
    """Which menu button this text is the label of, in any language, or None."""
    folded = text.strip().casefold()
    return next((key for key, names in _LABELS.items() if folded in names), None)


def command_of(text: str) -> str | None:
    """`/start@PaintBot ref` -> "start"; None when the text is not a command."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2:
        return None
    return stripped[1:].split(maxsplit=1)[0].split("@", 1)[0].casefold()
