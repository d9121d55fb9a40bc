"""Several processes on one SQLite file (one box: the bot and its workers): two processes hammer
registrations, page requests and their completions for the same users at once; afterwards no
process failed, `paintbot ledger verify` finds every wallet equal to its transactions, and each
user's credits are exactly the free grant minus the pages delivered."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")
USERS = 12
ROUNDS = 300
GRANT = 1000  # free pages each: nobody runs out, so every refusal is the other process

# One process: registers every user (the other does too, at the same time), then for random
# users opens a page (one in flight per user: the other process may hold it), takes it under its
# own lease, draws it for 2 ms and closes it as delivered or failed. Any StorageUnavailable (a lock not granted
# within the busy timeout) ends it with exit 1. Both start their rounds together (each waits for
# the other's "ready" file): interpreter start-up differs by more than a whole run's rounds, and
# processes that never overlap would prove nothing.
HAMMER = """
import pathlib, random, sys, time, uuid
from datetime import timedelta
from entrypoints.container import Container
from entrypoints.settings import Settings
from paintcore.domain.errors import JobInFlight
from paintcore.domain.jobs import Job, JobId, JobState, Lease
from paintcore.domain.pages import PageOptions
from paintcore.domain.users import Profile, UserId

path, seed, rounds, users = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
container = Container(settings=Settings(_env_file=None, PAINTBOT_DB_PATH=path))
register, orders, clock = container.register_user(), container.orders(), container.clock()
for user in range(1, users + 1):
    profile = Profile(UserId(user), first_name="A", username=f"u{user}", language_code="ru")
    register(profile=profile, language="ru")
here = pathlib.Path(path).parent
(here / f"ready-{seed}").touch()
deadline = time.monotonic() + 60
while len(list(here.glob("ready-*"))) < 2:
    assert time.monotonic() < deadline, "the other process never got ready"
    time.sleep(0.005)
rng = random.Random(seed)
delivered = failed = busy = 0
for _ in range(rounds):
    user = rng.randint(1, users)
    job = Job(JobId(uuid.uuid4().hex), UserId(user), user, "cat", PageOptions(),
              JobState.QUEUED, clock.now())
    try:
        orders.open(job)
    except JobInFlight:  # the other process has this user's page in flight
        busy += 1
        continue
    now = clock.now()
    assert orders.take(job.id, at=now, lease=Lease(f"hammer-{seed}", now + timedelta(minutes=5)))
    time.sleep(0.002)  # the page is drawn, holding no lock: the other process's turn to write
    state = JobState.SUCCEEDED if rng.random() < 0.5 else JobState.FAILED
    closed = orders.close(job.id, state=state, at=clock.now())
    assert closed is not None and closed.settled
    delivered += state is JobState.SUCCEEDED
    failed += state is JobState.FAILED
container.store().close()
print(delivered, failed, busy)
"""


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    return env | {
        "PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
        "PAINTBOT_LOG_FORMAT": "json",
        "PAINTBOT_FREE_GENERATIONS": str(GRANT),
    }


def test_two_processes_on_one_sqlite_file_keep_the_ledger_consistent(tmp_path: Path) -> None:
    db = str(tmp_path / "bot.sqlite3")
    env = env_for(tmp_path)
    hammers = [
        subprocess.Popen(
            [sys.executable, "-c", HAMMER, db, str(seed), str(ROUNDS), str(USERS)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for seed in (1, 2)
    ]
    outputs = [hammer.communicate(timeout=300) for hammer in hammers]
    for hammer, (_, err) in zip(hammers, outputs, strict=True):
        assert hammer.returncode == 0, err.decode()[-3000:]
    counts = [tuple(map(int, out.split())) for out, _ in outputs]
    delivered = sum(c[0] for c in counts)
    assert delivered > 0 and sum(c[1] for c in counts) > 0
    assert sum(c[2] for c in counts) > 0, "the processes did meet on the same users"

    verify = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "ledger", "verify"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr

    with sqlite3.connect(db) as conn:
        wallets = conn.execute("SELECT user_id, free, paid, held FROM wallets").fetchall()
        succeeded = dict(
            conn.execute(
                "SELECT user_id, count(*) FROM jobs WHERE state = 'succeeded' GROUP BY user_id"
            ).fetchall()
        )
        in_flight = conn.execute(
            "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')"
        ).fetchone()[0]
    assert len(wallets) == USERS, "each user registered (and granted) once"
    for user, free, paid, held in wallets:
        assert (free, paid, held) == (GRANT - succeeded.get(user, 0), 0, 0), user
    assert sum(succeeded.values()) == delivered
    assert in_flight == 0
