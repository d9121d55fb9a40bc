"""Finds the emoji a description asks for and how they relate to its main subject."""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from .aliases import ALIASES, NOT_SUBJECTS, UNDRAWABLE
from .catalog import Emoji, EmojiCatalog, catalog
from .index import LONGEST_KEY, Candidate, NameIndex, Tier
from .relations import RUSSIAN_VERBS, Relation, marker_at
from .words import ARTICLES, Kind, Token, english_singular, russian, tokenize

__all__ = ["Mention", "Relation", "find_subjects", "warm_up"]

RUSSIAN_VERB_TAGS = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND"})
WORDS = frozenset({Kind.RUSSIAN, Kind.ENGLISH})


@dataclass(frozen=True, slots=True)
class Mention:
    emoji: Emoji
    relation: Relation
    words: str  # the words of the description it was found in, as typed ("шляпе", "skateboard")


_TOOLS_LOCK = threading.Lock()


@functools.cache
def _build_tools() -> tuple[EmojiCatalog, NameIndex]:
    emoji = catalog()
    return emoji, NameIndex(emoji, ALIASES, UNDRAWABLE)


def _tools() -> tuple[EmojiCatalog, NameIndex]:
    with _TOOLS_LOCK:  # workers starting together would each spend a second building the index
        return _build_tools()


def find_subjects(description: str, *, limit: int = 5) -> tuple[Mention, ...]:
    """The subjects a description asks for, main first; empty when nothing is recognised."""
    emoji, index = _tools()
    tokens = [t for t in tokenize(description) if t.norm not in ARTICLES]
    norms = [t.norm for t in tokens]
    found: dict[str, Mention] = {}  # by emoji, so a thing named twice counts once

    def add(subject: Emoji, relation: Relation, start: int, length: int) -> None:
        words = description[tokens[start].start : tokens[start + length - 1].end]
        found.setdefault(subject.char, Mention(subject, relation, words))

    pending: Relation | None = None  # said by a preposition or verb, for the next thing named
    i = 0
    while i < len(tokens) and len(found) < limit:
        token = tokens[i]
        marker = marker_at(norms, i)
        if token.kind is Kind.SEPARATOR or marker is not None:
            pending = marker[0] if marker else Relation.AND
            i += marker[1] if marker else 1
            continue
        subject, length = _subject_at(emoji, index, tokens, i)
        if subject is None:
            word = russian(token.norm) if token.kind is Kind.RUSSIAN else None
            if word is not None and word.pos in RUSSIAN_VERB_TAGS:
                pending = RUSSIAN_VERBS.get(word.lemmas[0], pending)
            i += length
            continue
        head, head_length = _english_head(emoji, index, tokens, norms, i + length)
        if head is not None:
            # "a pirate ship", "an Easter bunny": the last noun of an English compound is the
            # thing itself, the ones before it only say what kind.
            add(head, pending or Relation.AND, i + length, head_length)
            add(subject, Relation.AND, i, length)
            length += head_length
        else:
            add(subject, pending or Relation.AND, i, length)
        pending = None
        i += length
    return _main_first(list(found.values())[:limit])


def warm_up() -> None:
    """Load the catalog, its index and both languages' tools now (a few seconds, mostly
    importing inflect) instead of during the first description."""
    _tools()
    russian("кот")
    english_singular("cats")


def _english_head(
    emoji: EmojiCatalog, index: NameIndex, tokens: Sequence[Token], norms: list[str], at: int
) -> tuple[Emoji | None, int]:
    """The emoji an English word right after a found one names, if it names one."""
    if (
        at >= len(tokens)
        or tokens[at].kind is not Kind.ENGLISH
        or tokens[at - 1].kind is not Kind.ENGLISH
    ):
        return None, 0
    if marker_at(norms, at) is not None:
        return None, 0
    return _subject_at(emoji, index, tokens, at)


def _subject_at(
    emoji: EmojiCatalog, index: NameIndex, tokens: Sequence[Token], start: int
) -> tuple[Emoji | None, int]:
    """The emoji named by the longest run of words from `start`, and how many tokens it took."""
    if tokens[start].kind is Kind.EMOJI:
        return emoji.by_char(tokens[start].norm), 1
    end = start
    while end < len(tokens) and end - start < LONGEST_KEY and tokens[end].kind in WORDS:
        end += 1
    for stop in range(end, start + 1, -1):
        hit = _lookup_phrase(index, tokens[start:stop])
        if hit is not None:
            return hit.emoji, stop - start
    token = tokens[start]
    hit = _lookup_word(index, token)
    if hit is None and "-" in token.norm:
        # "ice-cream", «жар-птица»: the parts as a phrase, else the last part alone.
        parts = [Token(p, p, token.kind, token.start, token.end) for p in token.norm.split("-")]
        hit = _lookup_phrase(index, parts) or _lookup_word(index, parts[-1])
    return (hit.emoji if hit else None), 1


def _lookup_phrase(index: NameIndex, tokens: Sequence[Token]) -> Candidate | None:
    key = tuple(russian(t.norm).lemmas[0] if t.kind is Kind.RUSSIAN else t.norm for t in tokens)
    hit = index.lookup([key], Tier)
    if hit is None and tokens[-1].kind is Kind.ENGLISH:
        singular = _singular(index, tokens[-1].norm)
        hit = index.lookup([(*key[:-1], singular)], Tier) if singular else None
    return hit


def _lookup_word(index: NameIndex, token: Token) -> Candidate | None:
    """Aliases for any word; CLDR names for a word that can be a noun or a "-ing" activity
    ("bowling", "camping"); CLDR keywords only for a word that can be a noun."""
    if token.kind is Kind.RUSSIAN:
        word = russian(token.norm)
        tiers = tuple(Tier) if word.noun else (Tier.ALIAS,)
        return index.lookup([(lemma,) for lemma in word.lemmas], tiers)
    if token.norm in NOT_SUBJECTS:
        tiers = (Tier.ALIAS,)
    elif token.norm.endswith("ing"):  # "sleeping" is a keyword of 😴, "ring" the name of 💍
        tiers = (Tier.ALIAS, Tier.NAME)
    else:
        tiers = tuple(Tier)
    hit = index.lookup([(token.norm,)], tiers)
    if (hit is not None and hit.tier is not Tier.KEYWORD) or token.norm in NOT_SUBJECTS:
        return hit
    # "clouds" is a keyword of 😶‍🌫️ face in clouds, "cloud" the name of ☁️.
    singular = english_singular(token.norm)
    better = index.lookup([(singular,)], tiers) if singular else None
    return better if better is not None and (hit is None or better.tier < hit.tier) else hit


def _singular(index: NameIndex, word: str) -> str | None:
    """The singular of a word CLDR does not use: a word it uses is one already ("glasses"),
    and inflect, slow to import, is needed only for the rest ("puppies")."""
    return None if word in index.vocabulary else english_singular(word)


def _main_first(found: list[Mention]) -> tuple[Mention, ...]:
    """The first thing no preposition placed is the main subject («под радугой единорог»: the
    unicorn); if a preposition placed every one, the first."""
    if not found:
        return ()
    main = next((m for m in found if m.relation is Relation.AND), found[0])
    rest = tuple(m for m in found if m is not main)
    return (Mention(main.emoji, Relation.MAIN, main.words), *rest)
