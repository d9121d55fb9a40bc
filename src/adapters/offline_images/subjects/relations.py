"""How the things of a description relate: the prepositions and verbs that say so."""

from __future__ import annotations

import enum
from collections.abc import Sequence


class Relation(enum.StrEnum):
    MAIN = "main"  # the main subject: the first noun phrase recognised
    IN = "in"  # main is in / wearing it: «в шляпе», "in a hat", "wearing a crown"
    WITH = "with"  # main has it: «с мячом», "with a ball", "holding a balloon"
    ON = "on"  # main is on it (it goes underneath): «на скейтборде», "riding a bike"
    UNDER = "under"  # main is under it (it goes above): «под радугой», "under a rainbow"
    ABOVE = "above"  # main is above it (it goes below): «над морем», "over the sea"
    NEAR = "near"  # next to / behind / in front of / near: «рядом с домом», "next to a tree"
    AND = "and"  # another subject of equal standing: «кот и собака», "a cat and a dog", commas


# Words as the tokenizer normalises them (lower case, ё → е). Several-word markers first: they
# are tried longest first, so "in front of" is NEAR before "in" could make it IN.
MARKERS: dict[tuple[str, ...], Relation] = {
    ("in", "front", "of"): Relation.NEAR,
    ("on", "top", "of"): Relation.ON,
    ("next", "to"): Relation.NEAR,
    ("close", "to"): Relation.NEAR,
    ("dressed", "in"): Relation.IN,
    ("рядом", "с"): Relation.NEAR,
    ("рядом", "со"): Relation.NEAR,
    ("вместе", "с"): Relation.WITH,
    ("вместе", "со"): Relation.WITH,
    ("верхом", "на"): Relation.ON,
    ("в", "руках"): Relation.WITH,
    **dict.fromkeys([("in",), ("inside",), ("into",), ("wearing",), ("wears",)], Relation.IN),
    **dict.fromkeys([("в",), ("во",), ("внутри",)], Relation.IN),
    **dict.fromkeys(
        [("with",), ("holding",), ("holds",), ("carrying",), ("carries",), ("has",), ("having",)],
        Relation.WITH,
    ),
    **dict.fromkeys([("с",), ("со",)], Relation.WITH),
    **dict.fromkeys([("on",), ("onto",), ("atop",), ("riding",), ("rides",)], Relation.ON),
    **dict.fromkeys([("на",)], Relation.ON),
    **dict.fromkeys([("under",), ("underneath",), ("beneath",), ("below",)], Relation.UNDER),
    **dict.fromkeys([("под",), ("подо",)], Relation.UNDER),
    **dict.fromkeys([("over",), ("above",)], Relation.ABOVE),
    **dict.fromkeys([("над",), ("надо",)], Relation.ABOVE),
    **dict.fromkeys(
        [("near",), ("by",), ("beside",), ("behind",), ("around",), ("among",)], Relation.NEAR
    ),
    **dict.fromkeys(
        [("рядом",), ("около",), ("возле",), ("у",), ("за",), ("перед",), ("позади",)],
        Relation.NEAR,
    ),
    **dict.fromkeys([("вокруг",), ("среди",), ("между",)], Relation.NEAR),
    **dict.fromkeys([("and",), ("и",), ("а",), ("plus",), ("also",), ("также",)], Relation.AND),
}
LONGEST_MARKER = max(map(len, MARKERS))

# Russian verbs, by lemma, that say how the next thing relates («держит шарик», «носит корону»).
RUSSIAN_VERBS = {
    "держать": Relation.WITH,
    "нести": Relation.WITH,
    "обнимать": Relation.WITH,
    "носить": Relation.IN,
    "одеть": Relation.IN,
    "надеть": Relation.IN,
}


def marker_at(words: Sequence[str], start: int) -> tuple[Relation, int] | None:
    """The relation the words from `start` announce and how many words say it, if any."""
    for length in range(min(LONGEST_MARKER, len(words) - start), 0, -1):
        relation = MARKERS.get(tuple(words[start : start + length]))
        if relation is not None:
            return relation, length
    return None
