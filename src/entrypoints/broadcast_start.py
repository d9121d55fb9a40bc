"""`paintbot broadcast --text | --from-file | --copy`: the message, the confirmation, the start."""

from __future__ import annotations

import argparse
import contextlib
import sys

from adapters.telegram.messenger import TEXT_LIMIT
from paintcore.dialog import Texts
from paintcore.domain.broadcasts import (
    BroadcastCounts,
    BroadcastId,
    CopiedMessage,
    audience_for,
)
from paintcore.domain.errors import BroadcastConfirmed, BroadcastRunning, NoRecipients, PaintError
from paintcore.domain.users import UserId

from .broadcast_run import EXIT_FAILED, BroadcastUsage, foreground, running_already, say
from .container import Container


def start_and_send(container: Container, args: argparse.Namespace, texts: Texts) -> int:
    """Check the request, ask to confirm, post or check the message, start the broadcast and
    send it here. BroadcastUsage for a wrong request."""
    settings = container.settings()
    admin = settings.admin_ids[0] if settings.admin_ids else None
    text = None if args.copy is not None else message_text(args)
    if text is not None and admin is None:
        raise BroadcastUsage(
            "--text and --from-file post the text to the first of ADMIN_IDS and copy that "
            "message: set ADMIN_IDS (or use --copy CHAT:MESSAGE)"
        )
    broadcasts, clock = container.broadcasts(), container.clock()
    running = broadcasts.current()
    if running is not None:
        return running_already(container, running, texts)
    audience_name = args.audience or "all"
    audience = audience_for(audience_name, clock.now())
    size = broadcasts.audience_size(audience)
    if size == 0:
        say(f"nobody matches the audience {audience_name!r}: nothing to send")
        return EXIT_FAILED
    if not args.yes and not _confirmed(size):
        say("nothing sent")
        return EXIT_FAILED
    message = _message(container, admin, text, args.copy)
    if message is None:
        return EXIT_FAILED
    status_id = None
    if admin is not None:  # the admin follows it in the chat too; without it, it goes on
        with contextlib.suppress(PaintError):
            status_id = container.messenger().post_text(admin, texts("broadcast_starting"))
    now = clock.now()
    try:
        started = container.start_broadcast()(
            broadcast_id=BroadcastId(f"cli-{admin or 0}-{message.message_id}-{now:%Y%m%d%H%M%S%f}"),
            admin_id=UserId(admin or 0),
            message=message,
            audience=audience,
            created_at=now,
            status_message_id=status_id,
        )
    except BroadcastRunning:  # started by the bot a moment ago
        running = broadcasts.current()
        if running is not None:
            return running_already(container, running, texts)
        say("another broadcast is running")
        return EXIT_FAILED
    except (NoRecipients, BroadcastConfirmed) as exc:
        say(f"not started: {exc}")
        return EXIT_FAILED
    reports = container.broadcast_reports()
    if reports is not None:
        reports.progress(started, BroadcastCounts(pending=started.total))
    say(f"broadcast {started.id}: {started.total} users, {settings.broadcast_rate:g} messages/s")
    return foreground(container, started, texts)


def message_text(args: argparse.Namespace) -> str:
    """The text of --text or --from-file; BroadcastUsage when unreadable, empty or too long."""
    if args.from_file is not None:
        try:
            text = str(args.from_file.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise BroadcastUsage(f"{args.from_file} is not UTF-8 text") from None
        except OSError as exc:
            raise BroadcastUsage(f"cannot read {args.from_file}: {exc.strerror or exc}") from None
        origin = str(args.from_file)
    else:
        text, origin = str(args.text), "the text"
    text = text.strip()
    if not text:
        raise BroadcastUsage(f"{origin} is empty: there is nothing to send")
    if len(text) > TEXT_LIMIT:
        raise BroadcastUsage(
            f"{origin} has {len(text)} characters; a message holds at most {TEXT_LIMIT}"
        )
    return text


def _message(
    container: Container, admin: int | None, text: str | None, ref: tuple[int, int] | None
) -> CopiedMessage | None:
    """The message to copy: the text posted to the admin, or --copy's (copied to the admin
    first, when there is one: a preview, and a check that Telegram copies it at all). None, said
    why, when that fails."""
    messenger = container.messenger()
    try:
        if text is not None and admin is not None:
            return CopiedMessage(admin, messenger.post_text(admin, text))
        assert ref is not None  # argparse: --copy when neither --text nor --from-file
        message = CopiedMessage(*ref)
        if admin is not None:
            messenger.copy_message(admin, message.from_chat_id, message.message_id)
        return message
    except PaintError as exc:
        what = f"post the text to admin {admin}" if text is not None else "copy that message"
        say(f"cannot {what}: {exc}")
        return None


def _confirmed(size: int) -> bool:
    """Ask at a terminal; refuse (BroadcastUsage) when nobody can answer."""
    if not sys.stdin.isatty():
        raise BroadcastUsage(f"this sends to {size} users: pass --yes to send without asking")
    try:
        answer = input(f"Send to {size} users? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")
