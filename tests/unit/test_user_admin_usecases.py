"""The admin's use cases on a known history: Stats' numbers, VerifyLedger's differences,
GrantCredits' and SetBanned's rules."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.memory import ManualClock
from adapters.sqlite import SqliteStore
from paintcore.domain.credits import Balance, Bucket, TransactionKind
from paintcore.domain.errors import UserNotFound
from paintcore.domain.jobs import Job, JobId, JobState
from paintcore.domain.pages import PageOptions
from paintcore.domain.payments import Payment
from paintcore.domain.users import User, UserId
from paintcore.ports import Jobs, Storage, Users
from paintcore.usecases import GrantCredits, SetBanned, VerifyLedger
from support.world import World

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)  # where the world's ManualClock starts
NOW = datetime(2026, 1, 9, 13, 0, tzinfo=UTC)
A, B, C, D = (UserId(n) for n in (1, 2, 3, 4))


def _user(users: Users, uid: UserId, at: datetime) -> None:
    users.add(User(uid, "N", "", f"n{uid}", "ru", at))


def _page(
    jobs: Jobs, uid: UserId, at: datetime, state: JobState, seconds: float = 0, name: str = ""
) -> None:
    """A page requested at `at`, started 5 s later and finished `seconds` after that."""
    job_id = JobId(f"{uid}-{at:%d%H%M}{name}")
    jobs.add(Job(job_id, uid, int(uid), "кот", PageOptions(), JobState.QUEUED, at))
    started = at + timedelta(seconds=5)
    if state is JobState.QUEUED:
        return
    jobs.start(job_id, at=started)
    if state is not JobState.RUNNING:
        jobs.finish(job_id, state=state, at=started + timedelta(seconds=seconds), error="x")


def _history(world: World) -> None:
    """Now is 9 Jan 13:00 UTC: "24 h" since 8 Jan 13:00, "7 d" since 2 Jan 13:00, today since
    9 Jan 00:00."""
    store = world.container.store()
    _user(world.users, A, START)
    _user(world.users, B, START)
    _page(world.jobs, A, START, JobState.SUCCEEDED, 99)  # older than a week: not counted
    jan5 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    _user(world.users, C, jan5)
    _page(world.jobs, C, jan5, JobState.SUCCEEDED, 10)
    _page(world.jobs, B, jan5, JobState.FAILED, 1)
    _page(world.jobs, A, datetime(2026, 1, 8, 20, 0, tzinfo=UTC), JobState.SUCCEEDED, 20)
    jan9 = datetime(2026, 1, 9, 9, 0, tzinfo=UTC)
    _user(world.users, D, jan9)
    _page(world.jobs, D, jan9, JobState.SUCCEEDED, 30)
    _page(world.jobs, D, jan9 + timedelta(hours=3), JobState.RUNNING, name="r")
    store.payments.add(Payment("p1", "stars", A, 10, 50, "XTR", jan5))
    store.payments.add(Payment("p2", "stars", B, 30, 120, "XTR", jan5))
    store.payments.refunded("p2", at=jan9, pages=30, shortfall=0)
    store.payments.add(Payment("p3", "yookassa", C, 10, 300, "RUB", jan9))
    world.clock.advance((NOW - START).total_seconds())


def test_stats_on_a_known_history(world: World) -> None:
    _history(world)
    report = world.container.stats()()

    assert report.at == NOW
    assert (report.users, report.new_day, report.new_week) == (4, 1, 2)
    assert (report.active_day, report.active_week) == (2, 4)  # A and D; A, B, C and D
    assert (report.pages_today, report.drawn_today) == (2, 1)
    assert (report.pages_week, report.drawn_week, report.failed_week) == (5, 3, 1)
    assert report.success_rate == 0.75
    assert report.mean_seconds == 20.0
    assert report.p95_seconds == 30.0  # nearest rank of 10, 20, 30
    assert report.money == {"XTR": (170, 120), "RUB": (300, 0)}


def test_stats_of_an_empty_bot_has_no_rates_and_zero_stars(world: World) -> None:
    report = world.container.stats()()
    assert (report.users, report.pages_week, report.active_week) == (0, 0, 0)
    assert report.success_rate is None and report.mean_seconds is None
    assert report.p95_seconds is None
    assert report.money == {"XTR": (0, 0)}


def test_p95_is_the_nearest_rank(world: World) -> None:
    _user(world.users, A, START)
    for n in range(20):  # 1..20 s: the 95th percentile by nearest rank is the 19th
        _page(world.jobs, A, START + timedelta(minutes=n), JobState.SUCCEEDED, n + 1)
    report = world.container.stats()()
    assert report.p95_seconds == 19.0 and report.mean_seconds == 10.5


def test_stats_text_for_operators_and_admins(world: World) -> None:
    from paintcore.dialog.admin_reports import stats_text
    from paintcore.dialog.texts import Texts

    _history(world)
    text = stats_text(world.container.stats()(), Texts("en"))
    assert text.splitlines() == [
        "📊 Stats as of 2026-01-09 13:00 UTC",
        "Users: 4; new in 24 h 1, in 7 d 2",
        "Active (requested a page): in 24 h 2, in 7 d 4",
        "Pages today: 2 (done 1); in 7 d: 5 (done 3, failed 1)",
        "Succeeded in 7 d: 75.0 %",
        "Drawing time: mean 20.0 s, p95 30.0 s",
        "Roubles (YooKassa): received 300, refunded 0",
        "XTR: received 170, refunded 120".replace("XTR", "Stars"),
    ]


# -- GrantCredits, SetBanned ------------------------------------------------------------------------


def test_grant_rules(world: World) -> None:
    grant = GrantCredits(world.users, world.ledger)
    with pytest.raises(UserNotFound):
        grant(user_id=UserId(5), amount=1, update_id=1)
    _user(world.users, A, START)
    for amount in (0, -1, 10_001):
        with pytest.raises(ValueError):
            grant(user_id=A, amount=amount, update_id=1)
    assert grant(user_id=A, amount=3, update_id=1).granted
    again = grant(user_id=A, amount=3, update_id=1)
    assert not again.granted and again.balance == Balance(free=3)
    assert world.ledger.log[-1].kind is TransactionKind.ADMIN_GRANT


def test_set_banned_rules(world: World) -> None:
    ban = SetBanned(world.users)
    with pytest.raises(UserNotFound):
        ban(user_id=A, banned=True)
    _user(world.users, A, START)
    assert ban(user_id=A, banned=True).changed
    assert not ban(user_id=A, banned=True).changed
    assert ban(user_id=A, banned=False).user.banned is False


# -- VerifyLedger -----------------------------------------------------------------------------------


def _busy(world: World) -> None:
    """Registrations, a page drawn, a page failed, a gift, a purchase: every kind of movement."""
    for uid in (1, 2, 3):
        world.say(uid, "/start")
    world.say(1, "/draw")
    world.say(1, "кот в шляпе")
    world.queue.run_pending()
    world.generator.failures.append(RuntimeError("boom"))  # type: ignore[arg-type]
    world.say(2, "/draw")
    world.say(2, "дракон")
    world.queue.run_pending()
    world.ledger.purchase(Payment("c1", "stars", UserId(3), 5, 25, "XTR", world.clock.now()))
    world.ledger.debit(user_id=UserId(3), amount=2, key="refund:c1", kind=TransactionKind.REFUND)
    world.say(3, "/draw")
    world.say(3, "дом")  # still held


def test_a_consistent_ledger_has_no_differences(world: World) -> None:
    _busy(world)
    check = VerifyLedger(world.users, world.ledger)(page=2)  # pages of two users
    assert check.ok and check.differences == () and check.total == 0
    assert check.users_checked == 3
    assert world.ledger.balance(UserId(3)) == Balance(free=9, paid=3, held=1)


def test_a_corrupted_wallet_is_named_with_both_balances(world: World) -> None:
    _busy(world)
    world.ledger.wallets[UserId(2)][Bucket.FREE] += 4  # credits out of nowhere
    check = world.container.verify_ledger()()
    assert not check.ok
    [difference] = check.differences
    assert difference.user_id == 2
    assert difference.stored == Balance(free=14)
    assert difference.recomputed == Balance(free=10)
    assert check.total == 4


def test_a_wallet_without_a_user_record_is_checked_too(world: World) -> None:
    world.say(1, "/start")
    world.ledger.grant(
        user_id=UserId(77),
        amount=2,
        key="gift:77",
        kind=TransactionKind.ADMIN_GRANT,
        bucket=Bucket.FREE,
    )
    check = world.container.verify_ledger()()
    assert check.ok and check.users_checked == 2


def test_verify_on_sqlite_finds_a_wallet_changed_behind_the_ledgers_back(tmp_path: Path) -> None:
    clock = ManualClock()
    store: Storage
    with SqliteStore(tmp_path / "bot.sqlite3", clock) as store:
        for uid in (1, 2):
            _user(store.users, UserId(uid), START)
            store.ledger.grant(
                user_id=UserId(uid),
                amount=10,
                key=f"register:{uid}",
                kind=TransactionKind.REGISTRATION,
                bucket=Bucket.FREE,
            )
        verify = VerifyLedger(store.users, store.ledger)
        assert verify().ok
        with closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as db, db:  # from outside
            db.execute("UPDATE wallets SET paid = paid + 7 WHERE user_id = 2")
        check = verify()
    assert [d.user_id for d in check.differences] == [2]
    assert check.differences[0].stored == Balance(free=10, paid=7)
    assert check.total == 7
