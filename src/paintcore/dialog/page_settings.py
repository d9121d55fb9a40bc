"""PageSettings: the user's page options, shown, and changed by a button press or by /set."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.users import UserId
from ..ports import Messenger, Preferences
from .events import IncomingCallback, IncomingMessage
from .settings import apply_choice, current_options, describe, settings_keyboard
from .texts import Texts


@dataclass(frozen=True, slots=True)
class PageSettings:
    preferences: Preferences
    messenger: Messenger

    def show(self, event: IncomingMessage, t: Texts) -> None:
        options = current_options(self.preferences, event.sender.id)
        self.messenger.send_text(
            event.chat_id, describe(t, options), keyboard=settings_keyboard(t, options)
        )

    def press(self, event: IncomingCallback, t: Texts) -> str | None:
        """A settings button was pressed: the confirmation to show, or None for foreign data."""
        return self._choose(event.sender.id, event.data, t)

    def _choose(self, user_id: UserId, data: str, t: Texts) -> str | None:
        applied = apply_choice(data, current_options(self.preferences, user_id))
        if applied is None:
            return None
        options, key = applied
        self.preferences.set(user_id, options)
        return t("settings_saved", choice=t(key))
