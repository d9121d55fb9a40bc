"""`paintbot broadcast`: start a broadcast and send it in the foreground with a progress bar, or
resume, cancel or show the running one (the engine is the bot's: paintcore/usecases)."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from types import FrameType

from dependency_injector import providers

from adapters.memory import InMemoryJobQueue
from adapters.telegram.messenger import TEXT_LIMIT
from paintcore.dialog import Texts
from paintcore.dialog.broadcast_texts import final_text, status_text
from paintcore.domain.broadcasts import AUDIENCES, audience_key

from .broadcast_run import EXIT_FAILED, EXIT_OK, BroadcastUsage, foreground, say
from .broadcast_start import start_and_send
from .container import Container
from .settings import Settings

EXIT_USAGE = 2

DESCRIPTION = """\
Copy one message to the bot's users (those who have not blocked it and are not banned), at
PAINTBOT_BROADCAST_RATE messages per second, in the foreground with a progress bar; one
broadcast at a time. --text and --from-file need ADMIN_IDS: the bot first posts the text to the
first admin (who must have started the bot) and copies that message to everyone. The first admin
also gets a status message that follows the progress, as with /broadcast in the chat. Ctrl-C
leaves the broadcast running: the bot resumes it, or `paintbot broadcast --resume`."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    broadcast = sub.add_parser(
        "broadcast",
        help="send a message to every user, in the foreground (or --resume, --cancel, --status)",
        description=DESCRIPTION,
    )
    what = broadcast.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--text", metavar="TEXT", help="this text (posted to the first of ADMIN_IDS, then copied)"
    )
    what.add_argument(
        "--from-file",
        type=Path,
        metavar="FILE",
        help=f"the text in FILE (UTF-8, up to {TEXT_LIMIT} characters; posted like --text)",
    )
    what.add_argument(
        "--copy",
        type=_message_ref,
        metavar="CHAT:MESSAGE",
        help="copy an existing message: the chat's id and the message's id in it (a channel's "
        "negative id needs the = form: --copy=-1001234567890:42)",
    )
    what.add_argument(
        "--resume", action="store_true", help="send the rest of the running broadcast from here"
    )
    what.add_argument("--cancel", action="store_true", help="stop the running broadcast")
    what.add_argument(
        "--status", action="store_true", help="show the running broadcast, else the last one"
    )
    broadcast.add_argument(
        "--audience",
        choices=AUDIENCES,
        default=None,
        help="who gets it: everyone (all, the default), by language (ru, en), or those who "
        "requested a page in the last 30 days (active)",
    )
    broadcast.add_argument("--yes", action="store_true", help="send without asking to confirm")


def run_broadcast_cli(container: Container, settings: Settings, args: argparse.Namespace) -> int:
    # The steps run in this process (broadcast_run.py): StartBroadcast's first task only lands
    # in a queue nobody works on (the worker pool would send it as well).
    container.queue.override(providers.Object(InMemoryJobQueue()))
    if not settings.admin_ids:  # no admin chat to report progress to
        container.broadcast_reports.override(providers.Object(None))
    signal.signal(signal.SIGTERM, _raise_interrupt)  # like Ctrl-C: the broadcast stays running
    texts = Texts(settings.language)
    store = container.store()
    try:
        if args.status:
            return _status(container, texts)
        if args.audience is not None and (args.resume or args.cancel):
            raise BroadcastUsage("--audience goes with --text, --from-file or --copy")
        if args.cancel:
            return _cancel(container, texts)
        if args.resume:
            return _resume(container, texts)
        return start_and_send(container, args, texts)
    except BroadcastUsage as exc:
        say(str(exc))
        return EXIT_USAGE
    finally:
        store.close()


def _status(container: Container, texts: Texts) -> int:
    broadcasts = container.broadcasts()
    found = broadcasts.current() or broadcasts.latest()
    if found is None:
        print("no broadcasts yet")
        return EXIT_OK
    print(f"broadcast {found.id} (audience {audience_key(found.audience)})")
    print(status_text(texts, found, broadcasts.counts(found.id), container.clock().now()))
    return EXIT_OK


def _cancel(container: Container, texts: Texts) -> int:
    running = container.broadcasts().current()
    outcome = container.cancel_broadcast()(broadcast_id=running.id) if running else None
    if outcome is None:
        say("no broadcast is running: there is nothing to cancel")
        return EXIT_FAILED
    print(final_text(texts, *outcome))
    return EXIT_OK


def _resume(container: Container, texts: Texts) -> int:
    running = container.broadcasts().current()
    if running is None:
        say("no broadcast is running: there is nothing to resume")
        return EXIT_FAILED
    left = container.broadcasts().counts(running.id).pending
    say(f"resuming broadcast {running.id}: {left} of {running.total} left")
    return foreground(container, running, texts)


def _message_ref(value: str) -> tuple[int, int]:
    chat, sep, message = value.rpartition(":")
    try:
        if not sep:
            raise ValueError
        return int(chat), int(message)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected CHAT:MESSAGE (two whole numbers, e.g. -1001234567890:42), not {value!r}"
        ) from None


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
