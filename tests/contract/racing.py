"""Run one callable from many threads released at the same instant, to provoke races."""

from __future__ import annotations

import threading
from collections.abc import Callable


def race(threads: int, action: Callable[[int], object]) -> list[object]:
    """Call `action(i)` in `threads` threads at once; each result, or the exception it raised."""
    barrier = threading.Barrier(threads)
    outcomes: list[object] = [None] * threads

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = action(i)
        except Exception as error:
            outcomes[i] = error

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not any(worker.is_alive() for worker in workers), "a racing thread hung"
    return outcomes
