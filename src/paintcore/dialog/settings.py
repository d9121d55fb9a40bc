"""Page settings in the dialog: the age/style buttons, and reading a press back (never trusting it)."""

from __future__ import annotations

from dataclasses import replace

from ..domain.messages import InlineButton, InlineKeyboard
from ..domain.pages import AgeLevel, PageOptions, Style
from ..domain.users import UserId
from ..ports import Preferences
from .texts import Texts

LEVEL_PREFIX, STYLE_PREFIX = "lvl:", "sty:"


def current_options(preferences: Preferences, user_id: UserId) -> PageOptions:
    """The user's page options; the defaults until they choose."""
    return preferences.get(user_id) or PageOptions()


def settings_keyboard(t: Texts, current: PageOptions) -> InlineKeyboard:
    """Two rows of level buttons and two of style buttons; the current choice is ticked."""

    def button(kind: str, value: str, chosen: bool) -> InlineButton:
        prefix = LEVEL_PREFIX if kind == "level" else STYLE_PREFIX
        label = t(f"{kind}_{value}")
        return InlineButton(f"✓ {label}" if chosen else label, prefix + value)

    levels = [button("level", lvl.value, lvl is current.level) for lvl in AgeLevel]
    styles = [button("style", sty.value, sty is current.style) for sty in Style]
    return InlineKeyboard(
        rows=(tuple(levels[:2]), tuple(levels[2:]), tuple(styles[:2]), tuple(styles[2:]))
    )


def describe(t: Texts, options: PageOptions) -> str:
    return t(
        "settings", level=t(f"level_{options.level.value}"), style=t(f"style_{options.style.value}")
    )


def apply_choice(data: str, options: PageOptions) -> tuple[PageOptions, str] | None:
    """The options after pressing the button with `data`, and the text key of the choice; None
    for data that is not one of our buttons (forged, stale or garbled)."""
    if data.startswith(LEVEL_PREFIX):
        value = data.removeprefix(LEVEL_PREFIX)
        if value in AgeLevel._value2member_map_:
            return replace(options, level=AgeLevel(value)), f"level_{value}"
    elif data.startswith(STYLE_PREFIX):
        value = data.removeprefix(STYLE_PREFIX)
        if value in Style._value2member_map_:
            return replace(options, style=Style(value)), f"style_{value}"
    return None
