"""Words of a description: tokens, Russian lemmas (pymorphy3) and English singulars (inflect)."""

from __future__ import annotations

import enum
import functools
import re
import threading
from dataclasses import dataclass
from typing import Any

# pymorphy3 gives readings with a probability; noun readings this likely make the word a
# candidate subject («пожарный» is a firefighter a third of the time; «маленькая» a noun 5 %).
NOUN_READING = 0.1
WORD = r"(?:[a-z]+|[а-я]+)(?:-(?:[a-z]+|[а-я]+))*"
SEPARATOR = r"[,;.!?&+/]"
# A whole emoji sequence, so a flag or a skin tone is one token and never yields the 🌈 inside
# 🏳️‍🌈. Written out because re has no \p{Emoji} and no emoji library is a runtime dependency;
# it may catch other symbols (→, ™), which the catalog then does not know.
EMOJI_CHAR = "[\u00a9\u00ae\u203c-\u2bff\u3030\u303d\u3297\u3299\U0001f000-\U0001faff]"
EMOJI_MODIFIERS = "[\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]*"
EMOJI = f"{EMOJI_CHAR}{EMOJI_MODIFIERS}(?:\u200d{EMOJI_CHAR}{EMOJI_MODIFIERS})*"
TOKEN = re.compile(f"(?P<emoji>{EMOJI})|(?P<word>{WORD})|(?P<sep>{SEPARATOR})")
CYRILLIC = re.compile(r"[а-я]")


class Kind(enum.StrEnum):
    RUSSIAN = "ru"
    ENGLISH = "en"
    EMOJI = "emoji"
    SEPARATOR = "separator"


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as typed
    norm: str  # lower-case, ё → е
    kind: Kind
    start: int  # where it is in the description
    end: int


def tokenize(description: str) -> list[Token]:
    """Splits a description into words, separators and emoji; drops digits and the rest."""
    text = normalise(description)
    tokens = []
    for match in TOKEN.finditer(text):
        start, end = match.span()
        if match.lastgroup == "emoji":
            kind = Kind.EMOJI
        elif match.lastgroup == "sep":
            kind = Kind.SEPARATOR
        else:
            kind = Kind.RUSSIAN if CYRILLIC.search(match.group()) else Kind.ENGLISH
        tokens.append(Token(description[start:end], match.group(), kind, start, end))
    return tokens


def normalise(text: str) -> str:
    """Lower case and ё → е, keeping every character in place (so spans map back to the input)."""
    lowered = "".join(char.lower() if len(char.lower()) == 1 else char for char in text)
    return lowered.replace("ё", "е")


ARTICLES = frozenset({"a", "an", "the"})


def words(text: str) -> list[str]:
    """The words of a name, keyword or alias, normalised like a description's, articles dropped."""
    return [word for word in re.findall(WORD, normalise(text)) if word not in ARTICLES]


@dataclass(frozen=True, slots=True)
class RussianWord:
    lemmas: tuple[str, ...]  # normal forms, the likeliest reading first (ё → е)
    pos: str | None  # part of speech of the likeliest reading (OpenCorpora tag: NOUN, ADJF, PREP)
    noun: bool  # its noun readings together have a fair probability


_MORPH_LOCK = threading.Lock()


@functools.cache
def _create_morph() -> Any:
    import pymorphy3  # loaded on the first Russian word: ~15 MB of dictionaries

    return pymorphy3.MorphAnalyzer()


def morph() -> Any:
    """The one shared analyzer; its parse only reads the dictionaries, so threads may share it."""
    with _MORPH_LOCK:  # functools.cache alone could build two at once
        return _create_morph()


@functools.lru_cache(maxsize=16384)
def russian(word: str) -> RussianWord:
    """Lemmas and part of speech of one lower-case Russian word."""
    parses = morph().parse(word)
    if not parses:
        return RussianWord((word,), None, noun=True)
    nouns = [p for p in parses if p.tag.POS == "NOUN"]
    # The probability is split among readings (case, gender, a name «Кит»): add the nouns' up.
    noun = sum(p.score for p in nouns) >= NOUN_READING
    ordered = [*nouns, *parses] if noun else parses
    lemmas = tuple(dict.fromkeys(p.normal_form.replace("ё", "е") for p in ordered))
    return RussianWord(lemmas, parses[0].tag.POS, noun=noun)


_INFLECT_LOCK = threading.Lock()


@functools.cache
def _create_inflect() -> Any:
    import inflect  # importing it takes 1-3 s; only English words CLDR does not spell as typed need it

    return inflect.engine()


@functools.lru_cache(maxsize=16384)
def english_singular(word: str) -> str | None:
    """The singular of an English plural noun ("puppies" → "puppy"), None if not a plural."""
    with _INFLECT_LOCK:  # the engine holds mutable settings and does not promise thread safety
        singular = _create_inflect().singular_noun(word)
    return singular if isinstance(singular, str) and singular != word else None
