"""What part a recognised thing plays in a picture: worn on the head, sky, backdrop, support."""

from __future__ import annotations

import enum

# By Unicode CLDR English short name (the catalog's `name_en`); a test checks that every name
# here is one the catalog knows, so a renamed emoji cannot silently lose its role.
HEADWEAR = frozenset(
    {
        "top hat",
        "woman’s hat",
        "billed cap",
        "graduation cap",
        "rescue worker’s helmet",
        "military helmet",
        "crown",
        "ribbon",
    }
)
EYEWEAR = frozenset({"glasses", "sunglasses", "goggles"})
ARCH = frozenset({"rainbow"})  # a quarter arc in Twemoji: drawn twice, mirrored, it spans a scene
SKY = frozenset(
    {
        "sun",
        "sun with face",
        "crescent moon",
        "full moon",
        "full moon face",
        "star",
        "glowing star",
        "shooting star",
        "cloud",
        "sun behind cloud",
        "snowflake",
        "comet",
        "ringed planet",
    }
)
BACKDROP = frozenset(
    {
        "house",
        "house with garden",
        "houses",
        "hut",
        "castle",
        "Japanese castle",
        "classical building",
        "school",
        "tent",
        "camping",
        "mountain",
        "snow-capped mountain",
        "volcano",
        "desert island",
        "national park",
        "deciduous tree",
        "evergreen tree",
        "palm tree",
        "Christmas tree",
        "water wave",
        "cityscape",
    }
)
# Artwork drawn at an angle that reads wrong as something to stand on: degrees to turn it
# (clockwise) so its top faces up.
UPRIGHT_TURN = {"skateboard": 40.0}


class Role(enum.StrEnum):
    """Where a thing goes relative to the main subject, decided by what it is."""

    HEADWEAR = "headwear"
    EYEWEAR = "eyewear"
    SKY = "sky"
    ARCH = "arch"
    BACKDROP = "backdrop"
    OTHER = "other"


def role_of(name_en: str) -> Role:
    """The role the thing called `name_en` plays when it is not the main subject."""
    if name_en in HEADWEAR:
        return Role.HEADWEAR
    if name_en in EYEWEAR:
        return Role.EYEWEAR
    if name_en in ARCH:
        return Role.ARCH
    if name_en in SKY:
        return Role.SKY
    if name_en in BACKDROP:
        return Role.BACKDROP
    return Role.OTHER
