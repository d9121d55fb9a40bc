"""OfflineSubjectGenerator: the ImageGenerator port with no network, drawing what is described."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog

from paintcore.domain.pages import AgeLevel, ArtKind, DrawnSubject, PageOptions, RenderedImage
from paintcore.ports import ImageGenerator

from .drawing import Pen, Placement, render, svg_document
from .emoji_art import CREDIT, artwork
from .generator import OfflinePatternGenerator
from .roles import UPRIGHT_TURN, Role, role_of
from .scene import Part, Spot, compose
from .subjects import Emoji, Mention, Relation, catalog, find_subjects, warm_up

log = structlog.get_logger(__name__)

# The canvas: about the shape of an A4 art area under a one-line title (the finisher fits it).
WIDTH, HEIGHT, MARGIN = 1200, 1600, 24
# Outline and smallest drawn detail in canvas units (the finisher scales by ~1.9 onto A4 at
# 300 dpi): chunky for small hands, fine for adults; above the finisher's minimum line weights.
PENS: dict[AgeLevel, Pen] = {
    AgeLevel.TODDLER: Pen(stroke=13.0, detail=45.0),
    AgeLevel.KIDS: Pen(stroke=9.0, detail=16.0),
    AgeLevel.CHILDREN: Pen(stroke=7.0, detail=10.0),
    AgeLevel.ADULT: Pen(stroke=5.0, detail=6.0),
}
MAX_SUBJECTS = 4  # more than this on one page gets too small to colour
_PLACED_RELATIONS = (Relation.ON, Relation.UNDER, Relation.ABOVE)


@dataclass(frozen=True, slots=True)
class OfflineSubjectGenerator:
    """Finds the description's subjects (Twemoji artwork named in Russian or English) and draws
    them as one scene of closed black outlines: the first one large, the others where their
    relation puts them («в шляпе» on the head, "on a skateboard" underneath, a rainbow over
    everything). With nothing recognised it draws a pattern page, and says so in its kind."""

    fallback: ImageGenerator = field(default_factory=OfflinePatternGenerator)

    def __post_init__(self) -> None:
        # The Russian dictionary, the English inflector and the emoji index take about a second
        # to load: in the background from start-up, so the first user's page does not wait.
        threading.Thread(target=_warm_up, name="subjects-warm-up", daemon=True).start()

    @property
    def name(self) -> str:
        """A short name of the backend, for logs and /check."""
        return "offline-subjects"

    def generate(self, *, prompt: str, description: str, options: PageOptions) -> RenderedImage:
        """Draw the subjects of the description, or a pattern page when none is recognised;
        GenerationFailed if the artwork cannot be drawn."""
        mentions = find_subjects(description, limit=MAX_SUBJECTS)
        if not mentions:
            return self.fallback.generate(prompt=prompt, description=description, options=options)
        placements, drawn = lay_out(mentions)
        svg = svg_document(placements, width=WIDTH, height=HEIGHT, pen=PENS[options.level])
        return RenderedImage(
            data=render(svg, width=WIDTH, height=HEIGHT),
            source=f"{self.name}:{'+'.join(e.art.removesuffix('.svg') for e in drawn)}",
            kind=ArtKind.SUBJECTS,
            subjects=tuple(DrawnSubject(e.char, e.name_en, e.name_ru) for e in drawn),
            credit=CREDIT,
        )


def _warm_up() -> None:
    try:
        warm_up()
    except Exception:  # the first description will meet (and report) the same problem
        log.warning("the word matcher could not be loaded ahead", exc_info=True)


def lay_out(mentions: Sequence[Mention]) -> tuple[list[Placement], tuple[Emoji, ...]]:
    """Where each recognised thing goes on the canvas, in paint order, and what is drawn."""
    main, parts = _scene(mentions)
    placements = compose(
        artwork(main.art), [part for part, _ in parts], width=WIDTH, height=HEIGHT, margin=MARGIN
    )
    return placements, (main, *(emoji for _, emoji in parts))


def _scene(mentions: Sequence[Mention]) -> tuple[Emoji, list[tuple[Part, Emoji]]]:
    """The main subject (its face when something is worn on the head) and the other parts."""
    main, *others = mentions
    parts: list[tuple[Part, Emoji]] = []
    taken: set[Spot] = set()
    for mention in others:
        spot = spot_for(mention.relation, role_of(mention.emoji.name_en))
        if spot in taken and spot in (Spot.HEAD, Spot.EYES, Spot.BENEATH, Spot.ARCH):
            spot = Spot.HELD  # one hat on one head: a second one is held
        taken.add(spot)
        turn = UPRIGHT_TURN.get(mention.emoji.name_en, 0.0) if spot is Spot.BENEATH else 0.0
        parts.append((Part(artwork(mention.emoji.art), spot, turn), mention.emoji))
    subject = main.emoji
    if taken & {Spot.HEAD, Spot.EYES}:
        # A hat sits well on a face; on a whole animal it could land on a tail or an ear.
        subject = catalog().by_name_en(f"{subject.name_en} face") or subject
    return subject, parts


def spot_for(relation: Relation, role: Role) -> Spot:
    """Where a thing goes from how the description relates it to the main subject and what it
    is: a hat "with" or "in" goes on the head, a rainbow always arches over the scene."""
    if role is Role.HEADWEAR and relation not in _PLACED_RELATIONS:
        return Spot.HEAD
    if role is Role.EYEWEAR and relation not in _PLACED_RELATIONS:
        return Spot.EYES
    if relation is Relation.ON:
        return Spot.BENEATH
    if relation is Relation.ABOVE:
        return Spot.BELOW
    if role is Role.ARCH:
        return Spot.ARCH
    if role is Role.SKY:
        return Spot.SKY
    if relation is Relation.UNDER:
        return Spot.OVERHEAD
    if role is Role.BACKDROP:
        return Spot.BACKDROP
    if relation is Relation.IN:
        return Spot.AROUND
    if relation is Relation.WITH:
        return Spot.HELD
    return Spot.BESIDE
