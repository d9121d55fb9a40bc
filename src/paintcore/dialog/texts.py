"""The text catalogs and the choice of language for a user."""

from __future__ import annotations

from dataclasses import dataclass

from . import card_texts, texts_en, texts_ru

CATALOGS: dict[str, dict[str, str]] = {
    "ru": texts_ru.TEXTS | card_texts.RU,
    "en": texts_en.TEXTS | card_texts.EN,
}
SUPPORTED = tuple(CATALOGS)

# Telegram sends IETF tags ("ru", "en-GB", "uk"); neighbours of Russian read Russian more often
# than English, so they map to it.
_ALIASES = {"ru": "ru", "uk": "ru", "be": "ru", "kk": "ru", "en": "en"}


def pick_language(code: str | None, fallback: str) -> str:
    """The catalog for a Telegram language code, or `fallback` when we have none for it."""
    primary = (code or "").lower().replace("_", "-").split("-")[0]
    chosen = _ALIASES.get(primary, fallback)
    return chosen if chosen in CATALOGS else "ru"


@dataclass(frozen=True, slots=True)
class Texts:
    language: str

    def __call__(self, key: str, **values: object) -> str:
        return CATALOGS[self.language][key].format(**values)


def labels(key: str) -> set[str]:
    """The label of a button in every language, folded for matching what users type."""
    return {catalog[key].casefold() for catalog in CATALOGS.values()}
