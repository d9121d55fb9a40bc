"""The Preferences contract, run against every adapter of the port (subclasses provide `preferences`)."""

from __future__ import annotations

from paintcore.domain.pages import AgeLevel, PageOptions, Paper, Style
from paintcore.domain.users import UserId
from paintcore.ports import Preferences


class PreferencesContract:
    def test_a_user_who_never_chose_has_no_preferences(self, preferences: Preferences) -> None:
        assert preferences.get(UserId(1)) is None

    def test_chosen_options_read_back_and_replace_earlier_ones(
        self, preferences: Preferences
    ) -> None:
        first = PageOptions(AgeLevel.TODDLER, Style.KAWAII, Paper.LETTER)
        preferences.set(UserId(1), first)
        assert preferences.get(UserId(1)) == first

        second = PageOptions(AgeLevel.ADULT, Style.MANDALA, Paper.A4)
        preferences.set(UserId(1), second)
        assert preferences.get(UserId(1)) == second
        assert preferences.get(UserId(2)) is None
