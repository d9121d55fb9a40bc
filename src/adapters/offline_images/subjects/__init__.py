"""Subjects of a description as Twemoji emoji: which things it names and how they relate."""

from __future__ import annotations

from .catalog import Emoji, EmojiCatalog, art_path, catalog
from .matcher import Mention, Relation, find_subjects, warm_up

__all__ = [
    "Emoji",
    "EmojiCatalog",
    "Mention",
    "Relation",
    "art_path",
    "catalog",
    "find_subjects",
    "warm_up",
]
