"""`paintbot broadcast` in the foreground: the steps of one broadcast driven here, a progress bar,
following the bot when it holds the lease, and a Ctrl-C that leaves the broadcast running."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from tqdm import tqdm

from paintcore.dialog import Texts
from paintcore.dialog.broadcast_texts import final_text, status_text
from paintcore.domain.broadcasts import Broadcast, BroadcastId, BroadcastState
from paintcore.domain.errors import PaintError
from paintcore.ports import Broadcasts, Clock
from paintcore.usecases import RunBroadcast
from paintcore.usecases.broadcast_lease import process_of

from .container import Container
from .workers import worker_gone

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130
# How often the bar reads the counts (a step of 100 recipients at 25/s takes 4 s), and how often
# a broadcast another process sends is looked at.
POLL_SECONDS = 0.5
FOLLOW_SECONDS = 1.0

log = logging.getLogger(__name__)


class BroadcastUsage(Exception):
    """A wrong request: `paintbot broadcast` prints its message and exits 2."""


def say(message: str) -> None:
    """A note or a refusal, on stderr (stdout carries the tally and the status)."""
    print(f"paintbot broadcast: {message}", file=sys.stderr)


def foreground(container: Container, broadcast: Broadcast, texts: Texts) -> int:
    """`drive` on the container's engine and store; the exit code."""
    return drive(
        container.run_broadcast(),
        container.broadcasts(),
        container.clock(),
        broadcast,
        texts=texts,
        worker=container.worker(),
        out=sys.stdout,
        say=say,
    )


def running_already(container: Container, running: Broadcast, texts: Texts) -> int:
    """Say which broadcast is running and how to go on with it or stop it; exit 1."""
    counts = container.broadcasts().counts(running.id)
    say(
        f"broadcast {running.id} is running (one at a time):\n"
        f"{status_text(texts, running, counts, container.clock().now())}\n"
        "send the rest from here with `paintbot broadcast --resume`, "
        "or stop it with `paintbot broadcast --cancel`"
    )
    return EXIT_FAILED


class ProgressBar:
    """A tqdm bar on stderr fed by `Broadcasts.counts`, polled on a small thread; nothing at all
    (no bar, no thread) when stderr is not a terminal."""

    def __init__(
        self, broadcasts: Broadcasts, broadcast: Broadcast, *, file: TextIO | None = None
    ) -> None:
        self._broadcasts, self._id = broadcasts, broadcast.id
        self._bar = tqdm(
            total=broadcast.total,
            initial=broadcasts.counts(broadcast.id).done,  # a resumed one starts where it is
            desc="broadcast",
            unit="msg",
            file=file or sys.stderr,
            disable=None,  # tqdm: off when the file is not a TTY
            dynamic_ncols=True,
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="broadcast-progress", daemon=True)

    def __enter__(self) -> ProgressBar:
        if not self._bar.disable:
            self._update()
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
            with contextlib.suppress(PaintError):
                self._update()
        self._bar.close()

    def _poll(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self._update()
            except PaintError:  # a storage hiccup: the next poll
                log.debug("broadcast progress not read", exc_info=True)

    def _update(self) -> None:
        counts = self._broadcasts.counts(self._id)
        self._bar.n = counts.done
        shown = {"sent": counts.sent, "blocked": counts.blocked, "failed": counts.failed}
        self._bar.set_postfix(shown, refresh=False)  # in this order (keywords come sorted)
        self._bar.refresh()


def drive(
    run: RunBroadcast,
    broadcasts: Broadcasts,
    clock: Clock,
    broadcast: Broadcast,
    *,
    texts: Texts,
    worker: str,
    out: TextIO,
    say: Callable[[str], None],
) -> int:
    """Send `broadcast` here step after step (or follow the process that holds its lease) until it
    ends; print its tally to `out`. 0 when done, 1 when it was cancelled, 130 on Ctrl-C (then it
    stays running: the bot's broadcast watch or `--resume` goes on with it)."""
    steps = _Steps(run, broadcasts, clock, broadcast.id, say)
    with ProgressBar(broadcasts, broadcast) as bar:
        try:
            steps.until_ended()
        except KeyboardInterrupt:
            bar.close()
            if steps.following:
                say(f"stopped watching: broadcast {broadcast.id} goes on in the other process")
            else:
                _let_go(broadcasts, broadcast.id, worker)
                say(
                    f"interrupted: broadcast {broadcast.id} stays running; the bot's broadcast "
                    "watch resumes it (within about 30 s), or run `paintbot broadcast --resume`"
                )
            return EXIT_INTERRUPTED
    ended = broadcasts.get(broadcast.id) or broadcast
    counts = broadcasts.counts(broadcast.id)
    print(final_text(texts, ended, counts), file=out)
    return EXIT_OK if ended.state is BroadcastState.DONE else EXIT_FAILED


class _Steps:
    """One step after another, handing the lease on; while another live process holds the lease,
    wait and watch (taking over if it stops), until the broadcast is no longer running."""

    def __init__(
        self,
        run: RunBroadcast,
        broadcasts: Broadcasts,
        clock: Clock,
        broadcast_id: BroadcastId,
        say: Callable[[str], None],
    ) -> None:
        self._run, self._broadcasts, self._clock = run, broadcasts, clock
        self._id, self._say = broadcast_id, say
        self.following = False  # another process is sending it; this one watches

    def until_ended(self) -> None:
        lease: str | None = None
        while True:
            if lease is None:
                found = self._broadcasts.get(self._id)
                if found is None or found.state is not BroadcastState.RUNNING:
                    return
                holder = self._holder(found)
                if holder is not None:
                    self._follow(holder)
                    continue
            self.following = False
            lease = self._run(broadcast_id=self._id, lease_from=lease)

    def _holder(self, broadcast: Broadcast) -> str | None:
        """The live process holding the broadcast's lease, if another one does."""
        owner = broadcast.lease_owner
        if owner is None or not broadcast.leased(self._clock.now()):
            return None
        return None if worker_gone(process_of(owner)) else process_of(owner)

    def _follow(self, holder: str) -> None:
        if not self.following:
            self._say(
                f"broadcast {self._id} is being sent by another process ({holder}, the bot?); "
                "following its progress. Ctrl-C stops watching, not the broadcast"
            )
            self.following = True
        time.sleep(FOLLOW_SECONDS)


def _let_go(broadcasts: Broadcasts, broadcast_id: BroadcastId, worker: str) -> None:
    """Release the lease this process held when interrupted, so the bot need not wait for it to
    run out (nothing here sends any more)."""
    try:
        found = broadcasts.get(broadcast_id)
        owner = found.lease_owner if found is not None else None
        if owner is not None and process_of(owner) == worker:
            broadcasts.release(broadcast_id, owner)
    except PaintError:  # it runs out within 30 s anyway
        log.warning("broadcast lease not released", exc_info=True)
