"""Which emoji a word or a few words name: aliases, then CLDR names, then CLDR keywords."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .catalog import Emoji, EmojiCatalog
from .words import CYRILLIC, russian, words

# Longer names are sentences ("person in motorized wheelchair: facing right"), not subjects.
LONGEST_KEY = 4
MAX_SPELLINGS = 8
GENDERED = frozenset({"man", "woman", "men", "women", "boy", "girl"})

Key = tuple[str, ...]


class Tier(enum.IntEnum):
    """Where a match comes from; a smaller tier wins."""

    ALIAS = 0
    NAME = 1
    KEYWORD = 2


@dataclass(frozen=True, slots=True)
class Candidate:
    emoji: Emoji
    tier: Tier
    rank: tuple[int, ...]  # smaller is better within a tier


def key_of(text: str) -> Key:
    """A name, keyword or alias as a description spells it: English words as written, Russian
    words as their likeliest lemma."""
    return spellings(text)[0]


def spellings(text: str) -> list[Key]:
    """Every way a description may spell a name: its likeliest key first, then other lemmas of
    its Russian words (a name's «змей» is likelier «змея» in the plural than itself; «змеем»
    in a description is only «змей»)."""
    options = [russian(w).lemmas if CYRILLIC.search(w) else (w,) for w in words(text)]
    return list(itertools.islice(itertools.product(*options), MAX_SPELLINGS))


def plainness(emoji: Emoji) -> tuple[int, ...]:
    """The plain, full-body, neutral emoji first: 🐈 cat, then 🐱 cat face, then 😺 grinning cat."""
    name = words(emoji.name_en)
    return (
        emoji.group == "smileys-emotion",
        "face" in name,
        bool(GENDERED.intersection(name)),
        "\u200d" in emoji.char,
        len(name),
        emoji.order,
    )


def contains(haystack: Key, needle: Key) -> bool:
    return any(
        haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1)
    )


class NameIndex:
    """The best emoji for each key, per tier; built once from the catalog and the aliases."""

    def __init__(
        self, emoji: EmojiCatalog, aliases: Mapping[str, str], undrawable: Iterable[str] = ()
    ) -> None:
        best: dict[Tier, dict[Key, Candidate]] = {tier: {} for tier in Tier}

        def offer(tier: Tier, text: str, item: Emoji, rank: tuple[int, ...]) -> None:
            written = tuple(words(text))
            for number, key in enumerate(spellings(text)):
                if 0 < len(key) <= LONGEST_KEY:
                    # A name already in its dictionary form beats one that only lemmatises to
                    # it: «дом» is 🏠 house, «дома» (plural) 🏘 houses.
                    ranked = Candidate(item, tier, (number > 0, key != written, *rank))
                    current = best[tier].get(key)
                    if current is None or ranked.rank < current.rank:
                        best[tier][key] = ranked

        for alias, name in sorted(aliases.items()):
            target = emoji.by_name_en(name)
            if target is not None:
                offer(Tier.ALIAS, alias, target, ())
        for item in emoji:
            plain = plainness(item)
            names = (key_of(item.name_en), key_of(item.name_ru))
            offer(Tier.NAME, item.name_en, item, plain)
            offer(Tier.NAME, item.name_ru, item, plain)
            for keyword in (*item.keywords_en, *item.keywords_ru):
                # A keyword that is part of the emoji's name is what it shows ("hat" of top hat).
                named = any(contains(name, key_of(keyword)) for name in names)
                offer(Tier.KEYWORD, keyword, item, (not named, *plain))
        self._best = best
        self._undrawable = frozenset(map(key_of, undrawable))
        self.vocabulary = frozenset(word for keys in best.values() for key in keys for word in key)

    def lookup(self, keys: Iterable[Key], tiers: Iterable[Tier]) -> Candidate | None:
        """The best candidate for any of the keys (spellings of one span) in the first tier that
        has one."""
        keys = tuple(keys)
        if self._undrawable.intersection(keys):
            return None
        for tier in tiers:
            found = [self._best[tier][key] for key in keys if key in self._best[tier]]
            if found:
                return min(found, key=lambda candidate: candidate.rank)
        return None
