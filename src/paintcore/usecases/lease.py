"""LeaseKeeper: renews a running job's lease in the background while its page is being made."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType

from ..ports import Clock

log = logging.getLogger(__name__)


class Revocations:
    """Jobs this process's recovery took away, for its own workers to see without asking the
    store: a worker whose lease is still long trusts it, except for a job recovery took from it
    on purpose (abandoned at shutdown). Bounded: the oldest ids are forgotten first."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._ids: dict[str, None] = {}
        self._lock = threading.Lock()

    def add(self, job_id: str) -> None:
        with self._lock:
            self._ids[job_id] = None
            while len(self._ids) > self.LIMIT:
                del self._ids[next(iter(self._ids))]

    def __contains__(self, job_id: object) -> bool:
        with self._lock:
            return job_id in self._ids


class LeaseKeeper:
    """A heartbeat: `renew(until)` every quarter of the lease's `length` on a daemon thread until
    the block ends, so a slow image API never makes a live worker look crashed. A renewal that
    finds the lease gone (recovery took the job and gave its credit back) marks it lost; a
    failing store is only logged and tried again at the next beat (the lease outlasts a hiccup).
    """

    def __init__(
        self,
        renew: Callable[[datetime], bool],
        *,
        clock: Clock,
        length: timedelta,
        until: datetime,
        job_id: str = "",
        revoked: Revocations | None = None,
    ) -> None:
        if length <= timedelta(0):
            raise ValueError("a lease must last some time")
        self._renew = renew
        self._clock = clock
        self._length = length
        self._until = until  # the lease is certainly ours until then
        self._job_id = job_id
        self._revoked = revoked if revoked is not None else Revocations()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._lost = False
        self._thread = threading.Thread(target=self._beat, name=f"lease-{job_id}", daemon=True)

    def confirm(self) -> bool:
        """Whether the lease is still ours for at least half its length: without a store round
        trip when the last renewal (or the take) made sure of that and this process's recovery
        did not take the job, else by renewing now."""
        with self._lock:
            if self._lost or self._job_id in self._revoked:
                return False
            if self._until - self._clock.now() >= self._length / 2:
                return True
        return self._renew_now()

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self._length.total_seconds() / 4):
            try:
                if not self._renew_now():
                    log.warning("lease lost while drawing", extra={"job_id": self._job_id})
                    return
            except Exception:
                log.warning("lease not renewed", exc_info=True, extra={"job_id": self._job_id})

    def _renew_now(self) -> bool:
        until = self._clock.now() + self._length
        renewed = self._renew(until)
        with self._lock:
            if renewed:
                self._until = max(self._until, until)
            else:
                self._lost = True
        return renewed
