"""Admin tools in Telegram end to end (the real telebot against the fake Bot API, on SQLite):
/user, /grant, /ban and /unban, /stats, /jobs from an admin, and from anyone else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paintcore.dialog.texts import CATALOGS
from paintcore.domain.credits import Balance
from paintcore.domain.users import UserId
from support.fake_telegram import FakeBotAPI
from support.telegram_world import ADMIN, RunningBot, start_bot

RU, EN = CATALOGS["ru"], CATALOGS["en"]
ANYA, TOM = 501, 502


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def bot(fake: FakeBotAPI, tmp_path: Path) -> Iterator[RunningBot]:
    running = start_bot(fake, tmp_path)
    for uid, name, language in ((ANYA, "anya", "ru"), (TOM, "tom", "en"), (ADMIN, "boss", "ru")):
        fake.push_text(uid, "/start", username=name, language_code=language)
    for uid in (ANYA, TOM, ADMIN):
        wait_text(fake, uid, "10")  # the welcome names the free pages
    yield running
    running.stop()


def wait_text(fake: FakeBotAPI, chat: int, fragment: str, count: int = 1) -> str:
    """The last message to `chat` with `fragment`, once there are `count` of them."""
    found = fake.wait_for(lambda f: sum(fragment in t for t in f.texts_to(chat)) >= count)
    assert found, f"no message with {fragment!r} to {chat}; got {fake.texts_to(chat)}"
    return [t for t in fake.texts_to(chat) if fragment in t][-1]


def test_admin_looks_a_user_up_and_grants_pages_and_the_user_is_told(bot: RunningBot) -> None:
    fake = bot.fake
    fake.push_text(ADMIN, "/user @Anya")
    report = wait_text(fake, ADMIN, "👤")
    assert "Аня (@anya, id 501), язык ru" in report
    assert "Баланс: бесплатных 10, купленных 0, в работе 0" in report

    fake.push_text(ADMIN, "/grant @tom 5 sorry for yesterday")
    done = wait_text(fake, ADMIN, "Начислено 5")
    assert "id 502" in done
    gift = wait_text(fake, TOM, "gift")
    assert gift == (
        EN["grant_received"].format(amount=5, available=15)
        + "\n"
        + EN["grant_reason"].format(reason="sorry for yesterday")
    )
    assert bot.balance(TOM) == Balance(free=15)


def test_bad_grants_change_nothing(bot: RunningBot) -> None:
    fake = bot.fake
    for n, command in enumerate(("/grant 501 -5", "/grant 501 10001", "/grant 501 lots"), 1):
        fake.push_text(ADMIN, command)
        wait_text(fake, ADMIN, "/grant ID|@username N", count=n)
    fake.push_text(ADMIN, "/grant @nobody 5")
    wait_text(fake, ADMIN, "не найден")
    assert bot.balance(ANYA) == Balance(free=10)


def test_a_banned_user_is_politely_refused_a_page_and_nothing_is_charged(bot: RunningBot) -> None:
    fake = bot.fake
    fake.push_text(ADMIN, "/ban 501")
    wait_text(fake, ADMIN, "Заблокирован")
    fake.push_text(ANYA, "Получить раскраску")
    fake.push_text(ANYA, "кот в шляпе")
    wait_text(fake, ANYA, RU["banned"], count=2)
    assert bot.balance(ANYA) == Balance(free=10)
    assert bot.container.users().get(UserId(ANYA)).banned  # type: ignore[union-attr]
    assert not any("Рисую" in t for t in fake.texts_to(ANYA))

    fake.push_text(ADMIN, "/unban @anya")
    wait_text(fake, ADMIN, "Разблокирован")
    fake.push_text(ANYA, "Получить раскраску")
    fake.push_text(ANYA, "кот в шляпе")
    wait_text(fake, ANYA, "Рисую «кот в шляпе»")


def test_stats_and_jobs_for_the_admin(bot: RunningBot) -> None:
    fake = bot.fake
    fake.push_text(ANYA, "Получить раскраску")
    fake.push_text(ANYA, "кот в шляпе")
    assert fake.wait_for(lambda _: bot.balance(ANYA) == Balance(free=9))
    assert fake.wait_for(lambda _: bot.idle(ANYA))

    fake.push_text(ADMIN, "/stats")
    stats = wait_text(fake, ADMIN, "📊")
    assert "Пользователи: 3; новых за 24 ч 3, за 7 дн 3" in stats
    assert "Активных (заказывали раскраску): за 24 ч 1, за 7 дн 1" in stats
    assert "за 7 дн: 1 (готово 1, не удалось 0)" in stats
    assert "Звёзды: получено 0, возвращено 0" in stats

    fake.push_text(ADMIN, "/jobs")
    jobs = wait_text(fake, ADMIN, "⚙️")
    assert jobs == "⚙️ Сейчас: рисуется 0, в очереди 0\n" + RU["jobs_no_failures"]


def test_admin_commands_from_anyone_else_are_unknown_and_change_nothing(bot: RunningBot) -> None:
    fake = bot.fake
    commands = ("/user 502", "/grant 502 100", "/ban 502", "/unban 502", "/stats", "/jobs")
    for command in commands:
        fake.push_text(ANYA, command)
    wait_text(fake, ANYA, RU["unknown_command"], count=len(commands))
    replies = fake.texts_to(ANYA)[-len(commands) :]
    assert replies == [RU["unknown_command"]] * len(commands)
    assert bot.balance(TOM) == Balance(free=10)
    assert not bot.container.users().get(UserId(TOM)).banned  # type: ignore[union-attr]
    assert not any("gift" in t for t in fake.texts_to(TOM))
