"""A local kid-safety word list (Russian and English): always applied, with or without OpenAI.

Blunt on purpose, and narrow: sexual content, gore, drugs, hate symbols and profanity. Toy-like
violence (a pirate's pistol, a knight's sword) is ordinary coloring-book material and is left to
the remote moderation. Entries are stems (match a word's start) or whole words, chosen so that
innocent neighbours pass: «кровать», «труппа», "drugstore", "rapeseed", "pedal", "terrier".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import PromptRejected

_STEMS = (
    # ru
    "порн",
    "сексуальн",
    "эротич",
    "обнаженн",
    "убийств",
    "убийц",
    "убит",
    "расчлен",
    "самоубий",
    "суицид",
    "наркоти",
    "наркоман",
    "героин",
    "кокаин",
    "нацист",
    "свастик",
    "террорист",
    "теракт",
    "изнасил",
    "педофил",
    "окровавлен",
    "кровав",
    "хуй",
    "хуе",
    "пизд",
    "ебат",
    "ебан",
    "мудак",
    "бляд",
    # en
    "porn",
    "sexual",
    "erotic",
    "murder",
    "corpse",
    "dismember",
    "tortur",
    "suicid",
    "heroin",
    "cocaine",
    "nazi",
    "swastika",
    "terroris",
    "rapist",
    "pedophil",
    "paedophil",
    "fuck",
    "shit",
    "bitch",
    "cunt",
    "bloodbath",
)
_WORDS = (
    # ru
    "секс",
    "голая",
    "голый",
    "голые",
    "труп",
    "трупы",
    "трупов",
    "кровь",
    "крови",
    "казнь",
    "повешенный",
    "сука",
    "суки",
    "бля",
    # en
    "sex",
    "sexy",
    "naked",
    "nude",
    "nudes",
    "gore",
    "blood",
    "bloody",
    "drugs",
    "rape",
    "raped",
    "execution",
    "hanged",
)


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


@dataclass(frozen=True, slots=True)
class KidSafetyWordList:
    """The Moderator port over the word list; PromptRejected("unsafe") on a match."""

    stems: tuple[str, ...] = _STEMS
    words: tuple[str, ...] = _WORDS
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        stems = "|".join(re.escape(_fold(s)) for s in sorted(self.stems, key=len, reverse=True))
        words = "|".join(re.escape(_fold(w)) for w in sorted(self.words, key=len, reverse=True))
        pattern = rf"(?<!\w)(?:(?:{stems})\w*|(?:{words})(?!\w))"
        object.__setattr__(self, "_pattern", re.compile(pattern, re.UNICODE))

    def check(self, text: str) -> None:
        match = self._pattern.search(_fold(text))
        if match is not None:
            raise PromptRejected("unsafe", detail=f"word list: {match.group(0)!r}")
