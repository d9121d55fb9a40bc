"""Who this process is in job leases, and whether the process behind another lease is dead."""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path

# /proc/<pid>/stat: the process's start time (field 22, in clock ticks since boot) tells a
# process from a later one that reuses its pid (a restart in a container is pid 1 again). The
# fields after the ")" that ends the command name start at field 3, so field 22 is index 19.
_START_INDEX = 19


@functools.cache
def this_worker() -> str:
    """This process as a lease owner: "<host>/<pid>/<start>" (start: ticks since boot, or "-"
    where /proc is missing)."""
    pid = os.getpid()
    return f"{socket.gethostname()}/{pid}/{_started(pid) or '-'}"


def worker_gone(owner: str) -> bool:
    """Whether the process that owns a lease is known to be dead: it ran on this host and no
    process with its pid and start time runs now. False when that cannot be known (another
    host, an owner written by something else): then only the lease's expiry tells."""
    host, _, rest = owner.partition("/")
    pid_text, _, start = rest.partition("/")
    if host != socket.gethostname() or not pid_text.isdigit() or not start:
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return owner != this_worker()  # an earlier process that had our pid
    running_since = _started(pid)
    if running_since is not None:  # a process has the pid: the same one only if it started then
        return start not in ("-", running_since)
    try:
        os.kill(pid, 0)  # no /proc entry: is there a process with this pid at all?
    except ProcessLookupError:
        return True
    except OSError:  # it exists but is not ours to signal (PermissionError)
        return False
    return start != "-"  # alive, but /proc cannot say whether it is the same process


def _started(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[_START_INDEX] if len(fields) > _START_INDEX else None
