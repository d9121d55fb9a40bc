"""`paintbot generate`: one page straight to a .png or .pdf, from a description or a photo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from paintcore.dialog import Texts, what_was_drawn
from paintcore.domain.errors import InvalidPrompt, PaintError, PromptRejected
from paintcore.domain.pages import AgeLevel, PageOptions, Paper, Style
from paintcore.domain.prompts import DescriptionRules

from .container import Container

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    generate = sub.add_parser(
        "generate", help="make one page and write it to a file (no credits involved)"
    )
    generate.add_argument(
        "description", nargs="?", default="", help='what to draw, e.g. "кот в шляпе"'
    )
    generate.add_argument("-o", "--output", required=True, type=Path, help="FILE.png or FILE.pdf")
    generate.add_argument(
        "--level", choices=[v.value for v in AgeLevel], default=AgeLevel.KIDS.value
    )
    generate.add_argument("--style", choices=[v.value for v in Style], default=Style.CARTOON.value)
    generate.add_argument("--paper", choices=[v.value for v in Paper], default=Paper.A4.value)
    generate.add_argument(
        "--from-photo", type=Path, metavar="PATH", help="a photo to turn into a page"
    )


def run_generate(container: Container, args: argparse.Namespace) -> int:
    suffix = args.output.suffix.lower()
    if suffix not in (".png", ".pdf"):
        return _usage(f"the output must end in .png or .pdf, not {args.output.name!r}")
    photo = None
    if args.from_photo is not None:
        try:
            photo = args.from_photo.read_bytes()
        except OSError as exc:
            return _usage(f"cannot read the photo {args.from_photo}: {exc.strerror or exc}")
    description = args.description
    if photo is None or description.strip():
        try:
            description = DescriptionRules().clean(description)
        except InvalidPrompt as exc:
            limits = f"{exc.min_length}-{exc.max_length} characters"
            return _usage(f"the description is {exc.reason.replace('_', ' ')} ({limits})")
    options = PageOptions(
        level=AgeLevel(args.level), style=Style(args.style), paper=Paper(args.paper)
    )
    try:
        if description:
            container.moderator().check(description)
        page = container.make_page()(description=description, options=options, photo=photo)
    except PromptRejected:
        print(
            "paintbot: that description is not suitable for a children's coloring page",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except PaintError as exc:
        print(f"paintbot: could not make the page: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(page.pdf if suffix == ".pdf" else page.png)
    except OSError as exc:
        print(f"paintbot: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    print(args.output.resolve())
    # What the page shows, in the configured language (as the chat's caption says it).
    note = what_was_drawn(page, Texts(container.settings().language))
    if note:
        print(note)
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"paintbot: {message}", file=sys.stderr)
    return EXIT_USAGE
