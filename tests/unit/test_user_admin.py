"""Admin tools for users: /user, /grant, /ban, /unban, /stats, /jobs from an admin do their work;
from anyone else they are unknown commands that change nothing; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from paintcore.dialog import IncomingMessage, MessageKind, UserAdmin
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.credits import Balance, TransactionKind
from paintcore.domain.jobs import Job, JobId, JobState
from paintcore.domain.pages import PageOptions
from paintcore.domain.payments import Payment
from paintcore.domain.users import Profile, UserId
from support.world import ADMIN, World

RU, EN = CATALOGS["ru"], CATALOGS["en"]
ANYA, TOM = 11, 12


def _ids(world: World, *users: int, language: str = "ru") -> None:
    """Register `users` (and the admin, so that the admin's first command registers nobody)."""
    if world.users.get(UserId(ADMIN)) is None:
        world.say(ADMIN, "/start")
    for uid in users:
        world.say(uid, "/start", language=language)


def _state(world: World) -> tuple[object, ...]:
    """Everything an admin command could change."""
    users = (ANYA, TOM, ADMIN)
    return (
        [world.users.get(UserId(uid)) for uid in users],
        [world.ledger.balance(UserId(uid)) for uid in users],
        list(world.ledger.log),
        {uid: world.messenger.texts(uid) for uid in (ANYA, TOM)},
    )


def _job(world: World, user: int, description: str, *, state: JobState, error: str = "") -> Job:
    """A job of `user` put through the Jobs port: created now, started, finished a minute later."""
    job = Job(
        JobId(f"{description}-{user}-{world.clock.now().timestamp()}".replace(" ", "")),
        UserId(user),
        user,
        description,
        PageOptions(),
        JobState.QUEUED,
        world.clock.now(),
    )
    world.jobs.add(job)
    if state is JobState.QUEUED:
        return job
    world.jobs.start(job.id, at=world.clock.now())
    if state is not JobState.RUNNING:
        world.jobs.finish(
            job.id, state=state, at=world.clock.now() + timedelta(minutes=1), error=error
        )
    return world.jobs.get(job.id) or job


# -- /grant ------------------------------------------------------------------------------------


def test_admin_grants_free_pages_and_the_user_is_told_in_their_language(world: World) -> None:
    _ids(world, ANYA)
    _ids(world, TOM, language="en")
    world.say(ADMIN, "/grant 12 5 sorry for the broken page")

    assert world.ledger.balance(UserId(TOM)) == Balance(free=15)
    [grant] = [tx for tx in world.ledger.log if tx.kind is TransactionKind.ADMIN_GRANT]
    assert (grant.user_id, grant.amount, grant.source) == (TOM, 5, "system:grants")
    assert world.last_text(TOM) == (
        EN["grant_received"].format(amount=5, available=15)
        + "\n"
        + EN["grant_reason"].format(reason="sorry for the broken page")
    )
    assert world.last_text(ADMIN).startswith("Начислено 5 бесплатных раскрасок: Аня (@u12, id 12)")
    assert world.ledger.balance(UserId(ANYA)) == Balance(free=10)


def test_grant_by_username_in_any_letter_case(world: World) -> None:
    _ids(world, ANYA)
    world.say(ADMIN, "/grant @U11 3")
    assert world.ledger.balance(UserId(ANYA)).free == 13
    assert world.last_text(ANYA) == RU["grant_received"].format(amount=3, available=13)


def test_a_redelivered_grant_update_grants_once_and_says_so(world: World) -> None:
    _ids(world, ANYA)
    grant = IncomingMessage(7777, ADMIN, Profile(UserId(ADMIN)), MessageKind.TEXT, "/grant 11 5")
    world.dialog.handle(grant)
    told = len(world.messenger.texts(ANYA))
    world.dialog.handle(grant)  # the same update once more (a crash before it was recorded)

    assert world.ledger.balance(UserId(ANYA)).free == 15
    assert len(world.messenger.texts(ANYA)) == told  # not told twice
    assert "уже сделано" in world.last_text(ADMIN)
    world.say(ADMIN, "/grant 11 5")  # a new update is a new grant
    assert world.ledger.balance(UserId(ANYA)).free == 20


@pytest.mark.parametrize(
    "command",
    [
        "/grant",
        "/grant 11",
        "/grant 11 -5",
        "/grant 11 0",
        "/grant 11 10001",
        "/grant 11 99999999999999999999",
        "/grant 11 five",
        "/grant 11 5.0",
        "/grant 11 +5",
        "/grant 11 ٥",  # an Arabic-Indic five: a digit to Python, not to an admin
        "/grant 11 1e3",
        "/grant anya 5",
        "/grant @ 5",
        "/grant -11 5",
        "/grant @u11! 5",
        "/grant 11 5 " + "x" * 201,
    ],
)
def test_grant_with_bad_arguments_explains_usage_and_changes_nothing(
    world: World, command: str
) -> None:
    _ids(world, ANYA, TOM)
    before = _state(world)
    world.say(ADMIN, command)
    assert _state(world) == before
    assert world.last_text(ADMIN) == RU["grant_usage"].format(max=10000, reason=200)


@pytest.mark.parametrize("who", ["404", "@nobody", "0"])
def test_grant_to_nobody_says_so_and_changes_nothing(world: World, who: str) -> None:
    _ids(world, ANYA)
    before = _state(world)
    world.say(ADMIN, f"/grant {who} 5")
    assert _state(world) == before
    assert world.last_text(ADMIN) == RU["user_unknown"].format(who=who)


def test_grant_of_the_maximum_is_accepted(world: World) -> None:
    _ids(world, ANYA)
    world.say(ADMIN, "/grant 11 10000")
    assert world.ledger.balance(UserId(ANYA)).free == 10010


def test_grant_to_a_user_who_blocked_the_bot_still_grants_and_tells_the_admin(
    world: World,
) -> None:
    _ids(world, ANYA)
    world.messenger.blocked.add(ANYA)
    world.say(ADMIN, "/grant 11 2")
    assert world.ledger.balance(UserId(ANYA)).free == 12
    assert world.last_text(ADMIN).endswith(RU["grant_not_told"])
    assert world.users.get(UserId(ANYA)).blocked  # type: ignore[union-attr]


# -- /ban, /unban --------------------------------------------------------------------------------


def test_ban_then_the_user_is_politely_refused_pages_and_nothing_is_charged(world: World) -> None:
    _ids(world, ANYA)
    world.say(ADMIN, "/ban @u11")
    assert world.users.get(UserId(ANYA)).banned  # type: ignore[union-attr]
    assert world.last_text(ADMIN) == RU["ban_done"].format(who="Аня (@u11, id 11)")

    world.say(ANYA, "/draw")
    assert world.last_text(ANYA) == RU["banned"]
    world.say(ANYA, RU["button_get_page"])
    world.say(ANYA, "кот в шляпе")
    assert world.last_text(ANYA) == RU["banned"]
    assert world.ledger.balance(UserId(ANYA)) == Balance(free=10)
    assert world.queue.depth() == 0 and world.jobs.in_flight(UserId(ANYA)) is None


def test_a_banned_users_request_already_waiting_is_refused_too(world: World) -> None:
    _ids(world, ANYA)
    world.say(ANYA, "/draw")  # asked for a description, then banned before typing it
    world.say(ADMIN, "/ban 11")
    world.say(ANYA, "кот в шляпе")
    assert world.last_text(ANYA) == RU["banned"]
    assert world.ledger.balance(UserId(ANYA)) == Balance(free=10)


def test_unban_lets_the_user_draw_again(world: World) -> None:
    _ids(world, ANYA)
    world.say(ADMIN, "/ban 11")
    world.say(ADMIN, "/unban 11")
    assert world.last_text(ADMIN) == RU["unban_done"].format(who="Аня (@u11, id 11)")
    world.say(ANYA, "/draw")
    world.say(ANYA, "кот в шляпе")
    assert world.ledger.balance(UserId(ANYA)) == Balance(free=9, held=1)


def test_ban_twice_and_unban_of_the_unbanned_change_nothing_and_say_so(world: World) -> None:
    _ids(world, ANYA)
    world.say(ADMIN, "/unban 11")
    assert world.last_text(ADMIN) == RU["unban_already"].format(who="Аня (@u11, id 11)")
    world.say(ADMIN, "/ban 11")
    world.say(ADMIN, "/ban 11")
    assert world.last_text(ADMIN) == RU["ban_already"].format(who="Аня (@u11, id 11)")


def test_an_admin_cannot_be_banned(world: World) -> None:
    _ids(world, ADMIN)
    world.say(ADMIN, f"/ban {ADMIN}")
    assert world.last_text(ADMIN) == RU["ban_admin"]
    assert not world.users.get(UserId(ADMIN)).banned  # type: ignore[union-attr]


@pytest.mark.parametrize("command", ["ban", "unban"])
@pytest.mark.parametrize("args", ["", "11 12", "eleven", "@u-11"])
def test_ban_with_bad_arguments_explains_usage_and_changes_nothing(
    world: World, command: str, args: str
) -> None:
    _ids(world, ANYA, TOM)
    before = _state(world)
    world.say(ADMIN, f"/{command} {args}")
    assert _state(world) == before
    assert world.last_text(ADMIN) == RU[f"{command}_usage"]


@pytest.mark.parametrize("command", ["ban", "unban"])
def test_ban_of_nobody_says_so(world: World, command: str) -> None:
    world.say(ADMIN, f"/{command} @nobody")
    assert world.last_text(ADMIN) == RU["user_unknown"].format(who="@nobody")


# -- /user -----------------------------------------------------------------------------------------


def test_user_report_shows_profile_wallet_pages_with_errors_and_payments(world: World) -> None:
    _ids(world, ANYA)
    _job(world, ANYA, "кот в шляпе", state=JobState.SUCCEEDED)
    world.clock.advance(60)
    _job(world, ANYA, "дракон", state=JobState.FAILED, error="image API timed out")
    store = world.container.store()
    store.payments.add(Payment("ch-1", "stars", UserId(ANYA), 10, 50, "XTR", world.clock.now()))
    world.users.set_blocked(UserId(ANYA), True)

    world.say(ADMIN, "/user @u11")
    report = world.last_text(ADMIN)
    assert "Аня (@u11, id 11), язык ru" in report
    assert "Баланс: бесплатных 10, купленных 0, в работе 0" in report
    assert "заблокировал бота" in report
    assert "ошибка: «дракон» — image API timed out" in report
    assert "готова: «кот в шляпе»" in report
    assert report.index("дракон") < report.index("кот в шляпе")  # the latest first
    assert "50 Звёзды → 10 раскрасок, оплачен (ch-1)" in report


def test_user_report_of_a_new_user_says_there_is_nothing_yet(world: World) -> None:
    _ids(world, ANYA)
    world.say(ADMIN, "/user 11")
    report = world.last_text(ADMIN)
    assert RU["user_report_no_pages"] in report and RU["user_report_no_payments"] in report
    assert "Статус: активен" in report


def test_a_long_user_report_fits_one_message(world: World) -> None:
    _ids(world, ANYA)
    for n in range(5):
        world.clock.advance(60)
        _job(world, ANYA, f"страница {n} " + "я" * 900, state=JobState.FAILED, error="e" * 3000)
    world.say(ADMIN, "/user 11")
    limit = world.dialog.group(UserAdmin).max_text_length
    assert len(world.last_text(ADMIN)) <= limit


@pytest.mark.parametrize("args", ["", "11 12", "@", "id11", "１１"])
def test_user_with_bad_arguments_explains_usage(world: World, args: str) -> None:
    world.say(ADMIN, f"/user {args}")
    assert world.last_text(ADMIN) == RU["user_usage"]


def test_user_of_nobody_says_so(world: World) -> None:
    world.say(ADMIN, "/user 123456789012345")
    assert world.last_text(ADMIN) == RU["user_unknown"].format(who="123456789012345")


# -- /stats, /jobs ---------------------------------------------------------------------------------


def test_stats_reply_shows_the_numbers(world: World) -> None:
    _ids(world, ANYA, TOM)
    _job(world, ANYA, "кот", state=JobState.SUCCEEDED)
    world.say(ADMIN, "/stats")
    text = world.last_text(ADMIN)
    assert "Пользователи: 3; новых за 24 ч 3, за 7 дн 3" in text
    assert "Успешных за 7 дн: 100.0 %" in text
    assert "в среднем 60.0 с, p95 60.0 с" in text
    assert "Звёзды: получено 0, возвращено 0" in text


def test_jobs_reply_lists_pages_in_flight_and_the_last_failures(world: World) -> None:
    _ids(world, ANYA, TOM)
    _job(world, ANYA, "дракон", state=JobState.FAILED, error="backend said no")
    running = _job(world, TOM, "кот", state=JobState.RUNNING)
    world.say(ADMIN, "/jobs")
    text = world.last_text(ADMIN)
    assert text.startswith("⚙️ Сейчас: рисуется 1, в очереди 0")
    assert f"{running.id[:8]} — пользователь 12, рисуется с" in text
    assert "«дракон» — backend said no" in text


def test_jobs_reply_when_nothing_happens(world: World) -> None:
    world.say(ADMIN, "/jobs")
    assert world.last_text(ADMIN) == "⚙️ Сейчас: рисуется 0, в очереди 0\n" + RU["jobs_no_failures"]


# -- not for anyone else ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    ["/user 12", "/grant 12 5", "/grant 11 5", "/ban 12", "/unban 12", "/stats", "/jobs"],
)
def test_admin_commands_from_a_user_are_unknown_and_change_nothing(
    world: World, command: str
) -> None:
    _ids(world, ANYA, TOM)
    world.users.set_banned(UserId(TOM), command == "/unban 12")
    before = _state(world)
    world.say(ANYA, command)
    after = _state(world)
    assert world.last_text(ANYA) == RU["unknown_command"]
    # ANYA's own chat got the one reply; nothing else moved.
    assert after[:3] == before[:3]
    assert after[3][TOM] == before[3][TOM]  # type: ignore[index]


def test_admin_commands_in_english_answer_in_english(world: World) -> None:
    _ids(world, ANYA)
    world.say(ADMIN, "/grant 11 x", language="en")
    assert world.last_text(ADMIN) == EN["grant_usage"].format(max=10000, reason=200)
