"""The coloring-page prompt: description, age level and style in; every page rule always there."""

from __future__ import annotations

import itertools

import pytest

from paintcore.domain.pages import AgeLevel, PageOptions, Style
from paintcore.domain.prompts import page_prompt, photo_prompt

RULES = (
    "pure white background",
    "no shading",
    "no gray",
    "no text",
    "closed black outlines",
    "portrait",
)


@pytest.mark.parametrize(("level", "style"), list(itertools.product(AgeLevel, Style)))
def test_every_level_and_style_keeps_the_page_rules(level: AgeLevel, style: Style) -> None:
    prompt = page_prompt("кот в шляпе", PageOptions(level=level, style=style)).lower()
    assert "кот в шляпе" in prompt
    for rule in RULES:
        assert rule in prompt, rule


@pytest.mark.parametrize(
    ("level", "words"),
    [
        (AgeLevel.TODDLER, ("toddlers", "very thick", "few very simple")),
        (AgeLevel.KIDS, ("aged 4-7", "thick")),
        (AgeLevel.CHILDREN, ("aged 8-12", "moderate detail")),
        (AgeLevel.ADULT, ("adults", "intricate")),
    ],
)
def test_the_age_level_sets_the_detail(level: AgeLevel, words: tuple[str, ...]) -> None:
    prompt = page_prompt("a fox", PageOptions(level=level))
    assert all(word in prompt for word in words)


@pytest.mark.parametrize(
    ("style", "word"),
    [
        (Style.CARTOON, "cartoon"),
        (Style.REALISTIC, "realistic"),
        (Style.MANDALA, "mandala"),
        (Style.KAWAII, "kawaii"),
    ],
)
def test_the_style_is_named(style: Style, word: str) -> None:
    assert word in page_prompt("a fox", PageOptions(style=style))


def test_different_options_give_different_prompts() -> None:
    prompts = {page_prompt("a fox", PageOptions(level=l, style=s)) for l in AgeLevel for s in Style}  # noqa: E741
    assert len(prompts) == len(AgeLevel) * len(Style)


def test_the_photo_prompt_asks_to_redraw_the_photo_as_a_page() -> None:
    prompt = photo_prompt(PageOptions(level=AgeLevel.TODDLER)).lower()
    assert "redraw this photo" in prompt and "toddlers" in prompt
    for rule in RULES:
        assert rule in prompt
