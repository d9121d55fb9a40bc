"""The local kid-safety word list: the obvious cases refused, innocent neighbours let through."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paintcore.domain.errors import PromptRejected
from paintcore.domain.moderation import KidSafetyWordList
from paintcore.moderation import ModerationChain

WORDS = KidSafetyWordList()


@pytest.mark.parametrize(
    "text",
    [
        "голая девушка",
        "Порно",
        "лужа крови",
        "кровавый монстр",
        "ТРУП на дороге",
        "нацистский флаг",
        "naked lady",
        "a bloody zombie",
        "Sexy robot",
        "drugs and cats",
        "swastika pattern",
        "блядь",
        "окровавленный нож",
        "Ёбаный кот",
    ],
)
def test_obvious_cases_are_refused(text: str) -> None:
    with pytest.raises(PromptRejected) as refused:
        WORDS.check(text)
    assert refused.value.reason == "unsafe" and "word list" in refused.value.detail


@pytest.mark.parametrize(
    "text",
    [
        "кот на кровати",
        "театральная труппа",
        "кровля дома",
        "казначей и сундук",
        "пират с пистолетом",
        "рыцарь с мечом",
        "a drugstore",
        "rapeseed field",
        "pedal car",
        "terrier puppy",
        "killer whale",
        "grapes in a bowl",
        "Essex castle",
        "кот в шляпе",
        "dinosaur on a skateboard",
        "Сусанин",
    ],
)
def test_innocent_neighbours_pass(text: str) -> None:
    WORDS.check(text)


_INNOCENT = ["кот", "кровать", "труппа", "drugstore", "pedal", "Essex", "шляпа", "dinosaur"]
_PIECES = st.one_of(
    st.sampled_from([*WORDS.stems, *WORDS.words, *_INNOCENT]),
    st.text(
        alphabet="абвгдежзиклмнопрстуфхцчшыэюяabcdefghijklmnoprstuvwxyz", min_size=1, max_size=8
    ),
)


def _listed(word: str) -> bool:
    folded = word.casefold().replace("ё", "е")
    return folded in WORDS.words or folded.startswith(WORDS.stems)


@given(st.lists(st.tuples(_PIECES, st.booleans()), max_size=6))
def test_refuses_exactly_when_a_word_is_listed_whatever_the_case(
    parts: list[tuple[str, bool]],
) -> None:
    words = [word.upper() if shout else word for word, shout in parts]
    text = " ".join(words)
    expected = any(_listed(word) for word in words)
    try:
        WORDS.check(text)
        refused = False
    except PromptRejected:
        refused = True
    assert refused == expected, text


def test_a_chain_asks_every_moderator_until_one_refuses() -> None:
    asked: list[str] = []

    class Recording:
        def __init__(self, name: str, refuse: bool) -> None:
            self.name, self.refuse = name, refuse

        def check(self, text: str) -> None:
            asked.append(self.name)
            if self.refuse:
                raise PromptRejected("unsafe", detail=self.name)

    ModerationChain([Recording("a", False), Recording("b", False)]).check("кот")
    assert asked == ["a", "b"]
    asked.clear()
    with pytest.raises(PromptRejected, match="b"):
        ModerationChain([Recording("a", False), Recording("b", True), Recording("c", False)]).check(
            "x"
        )
    assert asked == ["a", "b"]
