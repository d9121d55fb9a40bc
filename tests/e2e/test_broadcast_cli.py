"""`paintbot broadcast` as an operator runs it: a subprocess on a SQLite file, against the fake
Bot API (or the console channel without BOT_TOKEN)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.memory import InMemoryJobQueue
from adapters.sqlite import SqliteStore
from adapters.system_clock import SystemClock
from contract.users_contract import a_user
from paintcore.domain.broadcasts import Audience, BroadcastId, BroadcastState, CopiedMessage
from paintcore.domain.users import UserId
from paintcore.usecases import StartBroadcast
from support.fake_telegram import FakeBotAPI

pytestmark = pytest.mark.slow
_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")
ADMIN = 7


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def environment(tmp_path: Path, fake: FakeBotAPI | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env |= {
        "PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
        "PAINTBOT_LOG_FORMAT": "json",
        "ADMIN_IDS": str(ADMIN),
    }
    if fake is not None:
        env |= {"BOT_TOKEN": fake.token, "PAINTBOT_TELEGRAM_API_URL": fake.base_url}
    return env | extra


def start(
    tmp_path: Path, fake: FakeBotAPI | None, *args: str, **env: str
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "broadcast", *args],
        cwd=tmp_path,  # no stray .env
        env=environment(tmp_path, fake, **env),
        stdin=subprocess.DEVNULL,  # not a terminal
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes], timeout: float = 120) -> Run:
    out, err = process.communicate(timeout=timeout)
    return Run(process.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


def broadcast(tmp_path: Path, fake: FakeBotAPI | None, *args: str, **env: str) -> Run:
    return finish(start(tmp_path, fake, *args, **env))


def seed(tmp_path: Path, ids: range | list[int], **languages: str) -> None:
    """Users in the SQLite file the command opens (`languages`: "u<id>" -> language)."""
    store = SqliteStore(tmp_path / "bot.sqlite3", SystemClock())
    try:
        for user_id in ids:
            store.users.add(a_user(user_id, language=languages.get(f"u{user_id}", "ru")))
    finally:
        store.close()


def posted_to_admin(fake: FakeBotAPI, text: str) -> int:
    """The message id of the text the command posted to the admin."""
    for call in fake.calls_of("sendMessage"):
        if call.chat_id == ADMIN and call.params.get("text") == text:
            assert isinstance(call.result, dict)
            return int(call.result["message_id"])
    raise AssertionError(f"{text!r} was not posted to the admin")


def copied_to(fake: FakeBotAPI) -> Counter[int]:
    return Counter(int(c["chat_id"]) for c in fake.copies() if c["chat_id"] != ADMIN)


def test_text_reaches_every_user_once_waits_out_a_429_and_marks_a_blocker(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    users = range(101, 111)
    seed(tmp_path, users)
    fake.block(104)
    fake.rate_limit(106, retry_after=1)

    run = broadcast(tmp_path, fake, "--text", "Привет", "--yes")

    assert run.code == 0, run.err
    message_id = posted_to_admin(fake, "Привет")
    assert copied_to(fake) == Counter({u: 1 for u in users if u != 104})
    assert {(c["from_chat_id"], c["message_id"]) for c in fake.copies()} == {(ADMIN, message_id)}
    refused = [a for a in fake.attempts if a.method == "copyMessage" and a.chat_id == 106]
    assert [a.status for a in refused] == [429, 200]
    assert refused[1].at - refused[0].at >= 0.95, "retry_after=1 is waited out"
    store = SqliteStore(tmp_path / "bot.sqlite3", SystemClock())
    try:
        blocked = store.users.get(UserId(104))
        assert blocked is not None and blocked.blocked
    finally:
        store.close()
    tally = "✅ Рассылка завершена: доставлено 9 из 10, заблокировали бота 1, ошибок 0."
    assert run.out.strip().splitlines()[-1] == tally
    assert tally in fake.texts_to(ADMIN), "the admin's chat gets the tally as well"
    assert fake.edits_to(ADMIN), "and a status message that follows the progress"
    assert "Traceback" not in run.err


def test_copy_sends_a_message_to_one_audience_then_status_and_cancel(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    seed(tmp_path, range(201, 207), u202="en", u204="en")
    message_id = fake.message_id_of(fake.push_text(ADMIN, "Акция!"))
    assert message_id is not None

    run = broadcast(tmp_path, fake, "--copy", f"{ADMIN}:{message_id}", "--audience", "en", "--yes")

    assert run.code == 0, run.err
    assert copied_to(fake) == Counter({202: 1, 204: 1})
    assert len(fake.copies_to(ADMIN)) == 1, "the admin sees a preview first"
    status = broadcast(tmp_path, fake, "--status")
    assert status.code == 0, status.err
    assert "(audience en)" in status.out
    assert "Рассылка завершена: отправлено 2 из 2" in status.out
    cancel = broadcast(tmp_path, fake, "--cancel")
    assert cancel.code == 1
    assert "no broadcast is running" in cancel.err


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--copy", "abc"], {}, "expected CHAT:MESSAGE"),
        (["--text", "Привет", "--yes"], {"ADMIN_IDS": ""}, "set ADMIN_IDS"),
        (["--text", "Привет"], {}, "pass --yes"),
        (["--from-file", "missing.txt", "--yes"], {}, "cannot read missing.txt"),
        (["--from-file", "empty.txt", "--yes"], {}, "empty.txt is empty"),
        (["--text", "я" * 4097, "--yes"], {}, "4097 characters"),
        (["--resume", "--audience", "en"], {}, "--audience goes with"),
    ],
    ids=["bad-copy", "no-admins", "no-tty-no-yes", "missing-file", "empty-file", "too-long", "aud"],
)
def test_a_wrong_request_exits_2_with_one_message_and_sends_nothing(
    fake: FakeBotAPI, tmp_path: Path, args: list[str], env: dict[str, str], says: str
) -> None:
    seed(tmp_path, [301, 302])
    (tmp_path / "empty.txt").write_text(" \n", encoding="utf-8")

    run = broadcast(tmp_path, fake, *args, **env)

    assert run.code == 2
    assert says in run.err
    if args[0] != "--copy":  # argparse prints its usage line first
        assert len(run.err.strip().splitlines()) == 1, run.err
    assert not fake.copies() and not fake.calls_of("sendMessage")


def test_from_file_sends_the_files_text(fake: FakeBotAPI, tmp_path: Path) -> None:
    seed(tmp_path, [401, 402])
    (tmp_path / "news.txt").write_text("Новые раскраски!\n", encoding="utf-8")

    run = broadcast(tmp_path, fake, "--from-file", "news.txt", "--yes")

    assert run.code == 0, run.err
    posted_to_admin(fake, "Новые раскраски!")
    assert copied_to(fake) == Counter({401: 1, 402: 1})


def started_in_store(tmp_path: Path, fake: FakeBotAPI, *, lease_for: float = 0.0) -> BroadcastId:
    """A broadcast started straight on the store (as the bot does), left running; its lease held
    by a live process on another host for `lease_for` seconds when given."""
    message_id = fake.message_id_of(fake.push_text(ADMIN, "Скидки"))
    assert message_id is not None
    clock = SystemClock()
    store = SqliteStore(tmp_path / "bot.sqlite3", clock)
    try:
        started = StartBroadcast(store.broadcasts, InMemoryJobQueue(), clock)(
            broadcast_id=BroadcastId("from-the-bot"),
            admin_id=UserId(ADMIN),
            message=CopiedMessage(ADMIN, message_id),
            audience=Audience.everyone(),
            created_at=clock.now(),
        )
        if lease_for:
            now = clock.now()
            until = now + timedelta(seconds=lease_for)
            assert store.broadcasts.claim(started.id, "elsewhere/1/1#bot", until=until, now=now)
    finally:
        store.close()
    return started.id


def test_resume_sends_a_broadcast_left_running(fake: FakeBotAPI, tmp_path: Path) -> None:
    users = range(501, 506)
    seed(tmp_path, users)
    started_in_store(tmp_path, fake)

    blocked = broadcast(tmp_path, fake, "--text", "другая", "--yes")
    run = broadcast(tmp_path, fake, "--resume")

    assert blocked.code == 1 and "is running" in blocked.err and "--resume" in blocked.err
    assert run.code == 0, run.err
    assert copied_to(fake) == Counter({u: 1 for u in users})
    assert "доставлено 5 из 5" in run.out


def test_resume_follows_the_process_holding_the_lease_then_takes_over(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    users = range(601, 604)
    seed(tmp_path, users)
    started_in_store(tmp_path, fake, lease_for=3)

    began = time.monotonic()
    run = broadcast(tmp_path, fake, "--resume")

    assert run.code == 0, run.err
    assert "being sent by another process (elsewhere/1/1" in run.err
    assert copied_to(fake) == Counter({u: 1 for u in users})
    first = min(c.at for c in fake.calls_of("copyMessage"))
    assert first - began >= 2.5, "nothing is sent while another live process holds the lease"


def test_an_interruption_leaves_it_running_and_a_sigkill_loses_nothing(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    users = range(1001, 1041)
    seed(tmp_path, users)
    rate = {"PAINTBOT_BROADCAST_RATE": "10"}  # 40 users: 4 s

    first = start(tmp_path, fake, "--text", "Новости", "--yes", **rate)
    assert fake.wait_for(lambda f: len(copied_to(f)) >= 8, timeout=30)
    # SIGTERM takes Ctrl-C's path (KeyboardInterrupt); SIGINT itself may be ignored by a child
    # of a background job, which is how shells run them.
    first.send_signal(signal.SIGTERM)
    interrupted = finish(first)
    assert interrupted.code == 130, interrupted.err
    assert "stays running" in interrupted.err and "--resume" in interrupted.err
    store = SqliteStore(tmp_path / "bot.sqlite3", SystemClock())
    try:
        running = store.broadcasts.current()
        assert running is not None and running.state is BroadcastState.RUNNING
        assert running.lease_owner is None, "the lease is let go for the bot to take"
    finally:
        store.close()

    second = start(tmp_path, fake, "--resume", **rate)
    assert fake.wait_for(lambda f: len(copied_to(f)) >= 20, timeout=30)
    second.send_signal(signal.SIGKILL)
    second.wait(timeout=30)  # reaped: its lease names a process that is gone

    began = time.monotonic()
    third = broadcast(tmp_path, fake, "--resume", **rate)
    assert third.code == 0, third.err
    assert time.monotonic() - began < 20, "a dead process's lease is taken over at once"
    copies = copied_to(fake)
    assert set(copies) == set(users), "no gaps"
    assert sum(copies.values()) - len(users) <= 2, "at most one repeat per interruption"
    assert all(n <= 2 for n in copies.values())
    assert "доставлено 40 из 40" in third.out


def test_without_bot_token_the_copies_go_to_the_terminal(tmp_path: Path) -> None:
    seed(tmp_path, [701, 702, 703])

    run = broadcast(tmp_path, None, "--text", "Привет", "--yes")

    assert run.code == 0, run.err
    for user in (701, 702, 703):
        assert f"(to chat {user}: copy of message 1 from chat {ADMIN}) Привет" in run.out
    assert run.out.strip().splitlines()[-1].startswith("✅ Рассылка завершена: доставлено 3 из 3")
