"""`paintbot migrate sqlite-to-mongo`: an embedded deployment moves into MongoDB whole (users,
credits with their history and times, jobs in every state, conversations, preferences, payments
refunded or not), a second
run changes nothing, and the command says clearly what it did or why it cannot."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.memory import ManualClock
from adapters.mongo import MongoStore
from adapters.sqlite import SqliteStore
from entrypoints.cli import main
from entrypoints.migrate import Migration, ReplayClock, run_migrate
from entrypoints.settings import Settings
from paintcore.domain.checkout import CheckoutOrder, OrderState
from paintcore.domain.conversation import Awaiting, ConversationState
from paintcore.domain.credits import (
    Balance,
    Bucket,
    TransactionKind,
    registration_key,
)
from paintcore.domain.jobs import Job, JobState
from paintcore.domain.pages import AgeLevel, PageOptions, Paper, Style
from paintcore.domain.payments import Pack, Payment, refund_key
from paintcore.domain.users import User, UserId
from support.mongo_backends import Backend

ANNA, BORIS, VERA = UserId(1), UserId(2), UserId(3)
START = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
HOUR = timedelta(hours=1)


def a_user(user_id: UserId, **flags: bool) -> User:
    return User(
        id=user_id,
        first_name=f"user {user_id}",
        last_name="",
        username=f"u{user_id}",
        language="ru",
        registered_at=START,
        **flags,
    )


def a_job(job_id: str, user_id: UserId, created: datetime) -> Job:
    return Job(
        id=job_id,
        user_id=user_id,
        chat_id=int(user_id),
        description=f"кот {job_id}",
        options=PageOptions(AgeLevel.KIDS, Style.CARTOON, Paper.A4),
        state=JobState.QUEUED,
        created_at=created,
    )


def embedded_deployment(path: Path) -> SqliteStore:
    """Three users who did what users do: registered, bought, drew, failed, got banned, asked for
    their money back."""
    clock = ManualClock(START)
    store = SqliteStore(path, clock)

    def tick() -> datetime:
        clock.advance(61.000007)
        return clock.now()

    for user in (a_user(ANNA), a_user(BORIS, blocked=True), a_user(VERA, banned=True)):
        store.users.add(user)
        store.ledger.grant(
            user_id=user.id,
            amount=10,
            key=registration_key(user.id),
            kind=TransactionKind.REGISTRATION,
            bucket=Bucket.FREE,
        )
        tick()
    store.ledger.purchase(Payment("ch-1", "stars", ANNA, 50, 250, "XTR", clock.now()))
    store.ledger.grant(
        user_id=BORIS, amount=3, key="admin:7:1", kind=TransactionKind.ADMIN_GRANT,
        bucket=Bucket.FREE,
    )  # fmt: skip
    for index, (owner, outcome) in enumerate(
        [(ANNA, JobState.SUCCEEDED), (ANNA, JobState.FAILED), (BORIS, JobState.SUCCEEDED)]
        + [(ANNA, JobState.SUCCEEDED)] * 10  # Anna's free credits run out: the rest are paid
    ):
        job = a_job(f"job{index:02}", owner, tick())
        store.jobs.add(job)
        store.ledger.reserve(user_id=owner, job_id=job.id)
        store.jobs.start(job.id, at=tick())
        store.jobs.finish(
            job.id, state=outcome, at=tick(), error="boom" if outcome is JobState.FAILED else ""
        )
        settle = store.ledger.capture if outcome is JobState.SUCCEEDED else store.ledger.release
        settle(job_id=job.id)
    waiting = a_job("job-queued", ANNA, tick())  # in flight when the bot was stopped
    store.jobs.add(waiting)
    store.ledger.reserve(user_id=ANNA, job_id=waiting.id)
    store.conversations.expect(ConversationState(BORIS, Awaiting.DESCRIPTION, tick()))
    store.preferences.set(ANNA, PageOptions(AgeLevel.ADULT, Style.MANDALA, Paper.LETTER))
    # Boris buys a pack and has it refunded before drawing from it.
    store.ledger.purchase(
        Payment("ch-2", "stars", BORIS, 4, 20, "XTR", tick(), provider_charge_id="p2")
    )
    tick()
    store.ledger.debit(user_id=BORIS, amount=4, key=refund_key("ch-2"), kind=TransactionKind.REFUND)
    store.payments.refunded("ch-2", at=clock.now(), pages=4, shortfall=0)
    return store


def connector(backend: Backend) -> Any:
    def connect(uri: str, *, clock: ReplayClock) -> MongoStore:
        assert uri == "mongodb://db.example.net/paintbot"
        return MongoStore(backend.client, backend.name, clock)

    return connect


def migrate(sqlite: Path, backend: Backend, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, MONGODB_URI="mongodb://db.example.net/paintbot"
    )
    args = argparse.Namespace(sqlite=sqlite, mongodb_uri=None)
    code = run_migrate(settings, args, connector(backend))
    return code, capsys.readouterr().out


def test_everything_moves_with_its_history_and_a_second_run_changes_nothing(
    tmp_path: Path, mongo_backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "paintbot.sqlite3"
    source = embedded_deployment(path)

    code, out = migrate(path, mongo_backend, capsys)

    assert code == 0, out
    assert "users: 3 copied, 0 already there" in out
    # 6 grants, 1 refund, 13 pages' reserve and settlement, 1 held
    assert "ledger transactions: 34 copied, 0 already there" in out
    assert "payments: 2 copied, 0 already there" in out
    assert "jobs: 14 copied, 0 already there" in out
    assert "conversations: 1 copied" in out and "preferences: 1 copied" in out
    assert "done: the balances agree" in out
    target = MongoStore(mongo_backend.client, mongo_backend.name, ManualClock())
    for user in (ANNA, BORIS, VERA):
        assert target.users.get(user) == source.users.get(user)
        assert target.ledger.balance(user) == source.ledger.balance(user)
        assert target.ledger.transactions(user) == source.ledger.transactions(user)
    assert target.ledger.balance(ANNA) == Balance(free=0, paid=48, held=1)
    assert target.ledger.transactions() == source.ledger.transactions()  # times and order kept
    for job in source.export().jobs():
        assert target.jobs.get(job.id) == job
    assert target.jobs.in_flight(ANNA) == source.jobs.get("job-queued")
    assert target.conversations.current(BORIS) == source.conversations.current(BORIS)
    assert target.preferences.get(ANNA) == source.preferences.get(ANNA)
    assert target.users.recipients() == [ANNA]  # Boris blocked the bot, Vera is banned
    for charge in ("ch-1", "ch-2"):
        assert target.payments.get(charge) == source.payments.get(charge)
    assert target.payments.totals() == {"XTR": (270, 20)}
    before = dump(mongo_backend)

    code, out = migrate(path, mongo_backend, capsys)

    assert code == 0, out
    assert "users: 0 copied, 3 already there" in out
    assert "ledger transactions: 0 copied, 34 already there" in out
    assert "payments: 0 copied, 2 already there" in out
    assert "jobs: 0 copied, 14 already there" in out
    assert "conversations: 0 copied, 1 already there" in out
    assert "preferences: 0 copied, 1 already there" in out
    assert dump(mongo_backend) == before


def dump(backend: Backend) -> dict[str, list[Any]]:
    db = backend.db
    return {
        name: list(db.get_collection(name).find({}, sort=[("_id", 1)]))
        for name in sorted(db.list_collection_names())
    }


def test_a_move_cut_short_is_finished_by_running_it_again(
    tmp_path: Path,
    mongo_backend: Backend,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "paintbot.sqlite3"
    source = embedded_deployment(path)
    clock = ReplayClock(START)
    target = MongoStore(mongo_backend.client, mongo_backend.name, clock)
    rows = source.export()

    class CutShort(Exception):
        pass

    real = source.ledger

    class StopsAfterTenTransactions:
        """The source's ledger, ending the move as if the process were killed mid-way."""

        def __init__(self) -> None:
            self.given = 0

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def transactions(self) -> Any:
            for transaction in real.transactions():
                if self.given == 10:
                    raise CutShort
                self.given += 1
                yield transaction

    monkeypatch.setattr(source, "ledger", StopsAfterTenTransactions())
    with pytest.raises(CutShort):
        Migration(source, rows, target, clock).run()
    monkeypatch.undo()
    assert len(target.ledger.transactions()) == 10

    code, out = migrate(path, mongo_backend, capsys)

    assert code == 0, out
    assert "ledger transactions: 24 copied, 10 already there" in out
    assert target.ledger.transactions() == source.ledger.transactions()


def test_a_target_that_disagrees_is_reported_and_the_exit_code_says_so(
    tmp_path: Path, mongo_backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "paintbot.sqlite3"
    embedded_deployment(path)
    other = MongoStore(mongo_backend.client, mongo_backend.name, ManualClock(START))
    # the target already used Anna's purchase key for somebody else
    other.ledger.purchase(Payment("ch-1", "stars", BORIS, 5, 25, "XTR", START))

    code, out = migrate(path, mongo_backend, capsys)

    assert code == 1
    assert "ledger transactions: 30 copied, 1 already there" in out
    assert (
        "PROBLEM: transaction pay:ch-1: the target used this key for another movement "
        "(5 from system:sales to user:2:paid)"
    ) in out
    assert "PROBLEM: transaction reserve:job12: the target has too few credits to hold it" in out
    assert "PROBLEM: user 1: free 0, paid 0, held 0 in the target; free 0, paid 48, held 1" in out
    assert "PROBLEM: user 2: free 12, paid 5, held 0 in the target; free 12, paid 0, held 0" in out
    assert "NOT done" in out


def test_a_payment_the_target_records_otherwise_is_reported(
    tmp_path: Path, mongo_backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "paintbot.sqlite3"
    embedded_deployment(path)
    other = MongoStore(mongo_backend.client, mongo_backend.name, ManualClock(START))
    other.payments.add(Payment("ch-2", "stars", BORIS, 4, 20, "XTR", START))  # not refunded there

    code, out = migrate(path, mongo_backend, capsys)

    assert code == 1
    assert "payments: 1 copied, 1 already there" in out
    assert (
        "PROBLEM: payment ch-2 differs: paid, 4 pages in the target, refunded, 4 pages in the source"
    ) in out
    assert other.payments.get("ch-2") == Payment("ch-2", "stars", BORIS, 4, 20, "XTR", START)


def test_without_a_target_or_a_source_the_command_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PAINTBOT_") or name == "MONGODB_URI":
            monkeypatch.delenv(name)

    assert main(["migrate", "sqlite-to-mongo"]) == 2
    assert "no target: set MONGODB_URI or pass --mongodb-uri" in capsys.readouterr().err

    missing = tmp_path / "nowhere.sqlite3"
    assert main(["migrate", "sqlite-to-mongo", "--sqlite", str(missing),
                 "--mongodb-uri", "mongodb://localhost/x"]) == 2  # fmt: skip
    assert f"no SQLite database at {missing}" in capsys.readouterr().err
    assert not missing.exists()  # looking did not create an empty database


@pytest.mark.slow
def test_an_unreachable_target_stops_the_move_with_exit_2_and_hides_the_password(
    tmp_path: Path,
) -> None:
    embedded_deployment(tmp_path / "paintbot.sqlite3").close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAINTBOT_", "MONGODB_URI"))}
    env["MONGODB_URI"] = "mongodb://paint:s3cret-pw@127.0.0.1:9/paint?serverSelectionTimeoutMS=500"
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "migrate", "sqlite-to-mongo"],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "storage unavailable" in err and "127.0.0.1:9" in err
    assert "s3cret-pw" not in err + done.stdout.decode() and "Traceback" not in err


def test_the_replay_clock_says_the_moment_being_replayed() -> None:
    clock = ReplayClock(START)
    clock.set(START + timedelta(days=1))
    assert clock.now() == START + timedelta(days=1)


def test_card_payment_orders_move_open_or_closed_and_a_second_run_changes_nothing(
    tmp_path: Path, mongo_backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "paintbot.sqlite3"
    source = embedded_deployment(path)
    rub = Pack(10, 149, "RUB")
    waiting = CheckoutOrder("a" * 32, "yookassa", ANNA, 1, rub, START)
    paid = CheckoutOrder("b" * 32, "yookassa", BORIS, 2, rub, START + timedelta(minutes=1))
    for order in (waiting, paid):
        source.checkout_orders.add(order)
        source.checkout_orders.attach(
            order.order_id,
            payment_id=f"2f6a1c0e-000f-5000-9000-{order.order_id[:12]}",
            confirmation_url="https://yoomoney.ru/checkout/payments/v2/contract?orderId=x",
            at=START + timedelta(minutes=2),
        )
    source.checkout_orders.settle(paid.order_id, state=OrderState.PAID, at=START + HOUR)
    expected = [source.checkout_orders.get(o.order_id) for o in (waiting, paid)]

    code, out = migrate(path, mongo_backend, capsys)

    assert code == 0, out
    assert "card payment orders: 2 copied, 0 already there" in out
    target = MongoStore(mongo_backend.client, mongo_backend.name, ManualClock(START))
    assert [target.checkout_orders.get(o.order_id) for o in (waiting, paid)] == expected
    assert [o.order_id for o in target.checkout_orders.open_orders(provider="yookassa")] == [
        waiting.order_id
    ]  # still polled after the move

    code, out = migrate(path, mongo_backend, capsys)

    assert code == 0, out
    assert "card payment orders: 0 copied, 2 already there" in out
