"""PaintBot in Telegram end to end: the real telebot over real HTTP against a fake Bot API server."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from adapters.memory import FakeImageGenerator
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.credits import Balance
from paintcore.domain.errors import GenerationFailed
from support.broadcast_chat import TALLY, panel_id, posted_id, press
from support.fake_telegram import FakeBotAPI
from support.telegram_world import ADMIN, RunningBot, start_bot

RU, EN = CATALOGS["ru"], CATALOGS["en"]
USER = 501


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def bot(fake: FakeBotAPI, tmp_path: Path) -> Iterator[RunningBot]:
    running = start_bot(fake, tmp_path)
    yield running
    running.stop()


def texts(fake: FakeBotAPI, chat: int) -> list[str]:
    return fake.texts_to(chat)


def wait_text(fake: FakeBotAPI, chat: int, fragment: str, timeout: float = 10.0) -> str:
    found = fake.wait_for(lambda f: any(fragment in t for t in f.texts_to(chat)), timeout)
    assert found, f"no message with {fragment!r} to {chat}; got {fake.texts_to(chat)}"
    return next(t for t in fake.texts_to(chat) if fragment in t)


def draw(fake: FakeBotAPI, user: int, description: str) -> None:
    fake.push_text(user, "Получить раскраску")
    fake.push_text(user, description)


def test_start_up_deletes_the_webhook_and_registers_commands_in_ru_and_en(bot: RunningBot) -> None:
    fake = bot.fake
    assert fake.webhook_deleted
    assert fake.calls_of("getMe")
    assert {"", "ru", "en"} <= set(fake.commands)
    ru = {c["command"]: c["description"] for c in fake.commands["ru"]}
    en = {c["command"]: c["description"] for c in fake.commands["en"]}
    assert ru["draw"] == RU["cmd_draw"] and en["draw"] == EN["cmd_draw"]


def test_new_users_start_gets_the_welcome_and_the_menu(bot: RunningBot) -> None:
    bot.fake.push_text(USER, "/start", first_name="Аня")
    welcome = wait_text(bot.fake, USER, "Привет, Аня")
    assert "10" in welcome
    [call] = [c for c in bot.fake.calls_of("sendMessage") if c.params.get("text") == welcome]
    keyboard = call.params["reply_markup"]
    assert isinstance(keyboard, dict)
    assert [[b["text"] for b in row] for row in keyboard["keyboard"]] == [
        ["Получить раскраску"],
        ["Купить раскраски"],
        ["Настройки", "Поддержка"],
    ]


def test_english_user_gets_english_labels(bot: RunningBot) -> None:
    bot.fake.push_text(USER, "/start", first_name="Tom", language_code="en")
    wait_text(bot.fake, USER, "Hi, Tom!")
    markup = bot.fake.calls_of("sendMessage")[-1].params["reply_markup"]
    assert [[b["text"] for b in row] for row in markup["keyboard"]] == [
        ["Get a coloring page"],
        ["Buy pages"],
        ["Settings", "Support"],
    ]  # type: ignore[index]


def test_welcome_photos_come_as_an_album(fake: FakeBotAPI, tmp_path: Path) -> None:
    running = start_bot(fake, tmp_path, PAINTBOT_WELCOME_PHOTOS="AgAD-one,AgAD-two")
    try:
        fake.push_text(USER, "/start")
        [album] = fake.wait_calls("sendMediaGroup")
        assert album.media_files() == ["AgAD-one", "AgAD-two"]
        wait_text(fake, USER, "Привет")
    finally:
        running.stop()


def test_a_page_arrives_as_photo_and_pdf_with_a_copy_to_the_admin(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    running = start_bot(fake, tmp_path, real_pages=True)
    try:
        fake.push_text(USER, "/start", username="anya")
        draw(fake, USER, "кот в шляпе")
        wait_text(fake, USER, "Рисую «кот в шляпе»")
        photos = fake.wait_calls("sendPhoto", 2)  # the user's and the admin's copy
        documents = fake.wait_calls("sendDocument", 2)

        mine = next(c for c in photos if c.chat_id == USER)
        assert "Осталось раскрасок: 9" in str(mine.params["caption"])
        _, png = mine.files["photo"]
        with Image.open(io.BytesIO(png)) as page:
            assert page.size == (2480, 3508)
        pdf = next(c for c in documents if c.chat_id == USER)
        filename, body = pdf.files["document"]
        assert filename == "кот в шляпе.pdf" and body.startswith(b"%PDF")

        copy = next(c for c in photos if c.chat_id == ADMIN)
        assert str(USER) in str(copy.params["caption"]) and "@anya" in str(copy.params["caption"])
        assert "кот в шляпе" in str(copy.params["caption"])
        assert any(
            c.params.get("action") == "upload_photo" for c in fake.calls_of("sendChatAction")
        )
        assert fake.wait_for(lambda f: running.balance(USER) == Balance(free=9))
    finally:
        running.stop()


def test_ten_free_pages_then_a_refusal_with_the_support_contact(bot: RunningBot) -> None:
    fake = bot.fake
    fake.push_text(USER, "/start")
    for n in range(10):
        draw(fake, USER, f"кот номер {n}")
        assert fake.wait_for(
            lambda f, n=n: (
                len([c for c in f.calls_of("sendDocument") if c.chat_id == USER]) == n + 1
            )
        )
        # The page is delivered before its job is closed: a description sent in between is
        # (rightly) told to wait, which is not what this test is about.
        assert fake.wait_for(lambda _: bot.idle(USER))
    draw(fake, USER, "кот номер 11")
    refusal = wait_text(fake, USER, "закончились")
    assert "@paint_help" in refusal
    assert bot.balance(USER) == Balance()


def test_a_failing_image_backend_apologises_and_gives_the_credit_back(bot: RunningBot) -> None:
    bot.generator.failures.append(GenerationFailed("backend down"))
    bot.fake.push_text(USER, "/start")
    draw(bot.fake, USER, "кот в шляпе")
    wait_text(bot.fake, USER, "не списана")
    assert bot.balance(USER) == Balance(free=10)
    assert [c for c in bot.fake.calls_of("sendPhoto") if c.chat_id == USER] == []


def test_a_non_admins_broadcast_reaches_no_one(bot: RunningBot) -> None:
    for uid in (USER, 502):
        bot.fake.push_text(uid, "/start")
        wait_text(bot.fake, uid, "Привет")
    bot.fake.push_text(USER, "/broadcast купите слона")
    wait_text(bot.fake, USER, RU["unknown_command"])
    assert press(bot.fake, USER, "bc:send") == RU["unknown_button"]  # a forged confirmation
    assert not any("слона" in t for t in texts(bot.fake, USER) + texts(bot.fake, 502))
    assert bot.fake.copies() == [] and bot.container.store().broadcasts.latest() is None


def test_an_admins_broadcast_reaches_everyone(bot: RunningBot) -> None:
    for uid in (USER, 502, 503):
        bot.fake.push_text(uid, "/start")
        wait_text(bot.fake, uid, "Привет")
    bot.fake.push_text(ADMIN, "/broadcast Новые раскраски!")  # the bot posts it, then previews
    wait_text(bot.fake, ADMIN, "Получателей: 4")  # the admin registered with their /broadcast
    posted = posted_id(bot.fake, ADMIN, "Новые раскраски!")
    assert press(bot.fake, ADMIN, "bc:send", panel_id(bot.fake)) == RU["broadcast_started_notice"]
    report = wait_text(bot.fake, ADMIN, TALLY)
    assert "доставлено 4 из 4" in report
    for uid in (USER, 502, 503):
        [copy] = bot.fake.copies_to(uid)
        assert (copy["from_chat_id"], copy["message_id"]) == (ADMIN, posted)
        got = bot.fake.message(uid, copy["new_message_id"])
        assert got is not None and got["text"] == "Новые раскраски!"


def test_a_429_on_send_photo_is_waited_out(fake: FakeBotAPI, tmp_path: Path) -> None:
    running = start_bot(fake, tmp_path)
    try:
        fake.push_text(USER, "/start")
        wait_text(fake, USER, "Привет")
        fake.fail("sendPhoto", status=429, retry_after=1, chat_id=USER)
        draw(fake, USER, "кот в шляпе")
        [photo] = fake.wait_calls("sendPhoto", 1, timeout=15)
        refused = [a for a in fake.attempts if a.method == "sendPhoto" and a.status == 429]
        assert len(refused) == 1 and photo.at - refused[0].at >= 0.95
        assert fake.wait_for(lambda f: running.balance(USER) == Balance(free=9))
    finally:
        running.stop()


def test_a_user_who_blocked_the_bot_is_marked_and_refunded(bot: RunningBot) -> None:
    bot.fake.push_text(USER, "/start")
    wait_text(bot.fake, USER, "Привет")
    bot.fake.push_text(USER, "Получить раскраску")
    wait_text(bot.fake, USER, "Опишите")
    bot.fake.block(USER)
    bot.fake.push_text(USER, "кот в шляпе")  # the reply "Рисую…" is refused with 403
    assert bot.fake.wait_for(lambda f: any(a.status == 403 for a in f.attempts))
    users = bot.container.users()
    assert bot.fake.wait_for(lambda f: bool(users.get(USER).blocked))  # type: ignore[arg-type, union-attr]
    assert bot.fake.wait_for(lambda f: bot.balance(USER) == Balance(free=10), timeout=10)


@pytest.mark.parametrize(
    ("push", "expected"),
    [
        (lambda f: f.push_sticker(USER), RU["not_text"]),
        (lambda f: f.push_voice(USER), RU["not_text"]),
        (lambda f: f.push_text(USER, "я" * 5000), "не больше 1000 символов (у вас 5000)"),
        (lambda f: f.push_callback(USER, "forged:data:🙂"), RU["unknown_button"]),
        (lambda f: f.push_document(USER), RU["not_text"]),
    ],
    ids=["sticker", "voice", "5000-chars", "forged-callback", "document"],
)
def test_odd_updates_get_a_sensible_answer(bot: RunningBot, push: object, expected: str) -> None:
    bot.fake.push_text(USER, "/start")
    bot.fake.push_text(USER, "Получить раскраску")
    wait_text(bot.fake, USER, "Опишите")
    push(bot.fake)  # type: ignore[operator]
    wait_text(bot.fake, USER, expected)
    assert bot.balance(USER) == Balance(free=10)


def test_empty_text_is_answered(bot: RunningBot) -> None:
    bot.fake.push_text(USER, "Получить раскраску")
    wait_text(bot.fake, USER, "Опишите")
    bot.fake.push_text(USER, "   ")
    wait_text(bot.fake, USER, "Пустое описание")


def test_forged_callback_is_acknowledged(bot: RunningBot) -> None:
    update = bot.fake.push_callback(USER, "x" * 64)
    [answer] = bot.fake.wait_calls("answerCallbackQuery")
    assert answer.params["callback_query_id"] == bot.fake.callback_query_id(update)


def test_admin_gets_file_ids_and_a_users_photo_becomes_a_page(bot: RunningBot) -> None:
    bot.fake.push_photo(ADMIN)
    reply = wait_text(bot.fake, ADMIN, "file_id: ")
    assert len(reply.split()[1]) > 5
    bot.fake.push_photo(USER, content=b"\xff\xd8\xff fake jpeg", caption="мой кот")
    wait_text(bot.fake, USER, "Рисую «мой кот»")
    assert bot.fake.wait_for(lambda f: any(c.chat_id == USER for c in f.calls_of("sendDocument")))
    assert bot.fake.calls_of("getFile"), "the photo was downloaded through the Bot API"
    assert not any("file_id" in t for t in texts(bot.fake, USER))
    assert bot.fake.wait_for(lambda f: bot.balance(USER) == Balance(free=9))


def test_a_network_error_on_a_reply_is_retried(bot: RunningBot) -> None:
    bot.fake.drop_connection("sendMessage", chat_id=USER)
    bot.fake.push_text(USER, "/start")
    wait_text(bot.fake, USER, "Привет")
    assert [a.status for a in bot.fake.attempts if a.method == "sendMessage"][:2] == [0, 200]


def test_a_500_on_a_reply_is_retried(bot: RunningBot) -> None:
    bot.fake.fail("sendMessage", status=500, chat_id=USER)
    bot.fake.push_text(USER, "/help")
    wait_text(bot.fake, USER, "/balance")


def test_start_is_answered_while_fifty_pages_are_being_drawn(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    running = start_bot(fake, tmp_path, generator=FakeImageGenerator(delay=2.0))
    try:
        for uid in range(1000, 1050):
            draw(fake, uid, "кот в шляпе")
        drawing = lambda f: sum(any("Рисую" in t for t in f.texts_to(u)) for u in range(1000, 1050))  # noqa: E731
        assert fake.wait_for(lambda f: drawing(f) == 50, timeout=20)
        fake.push_text(USER, "/start")
        wait_text(fake, USER, "Привет")
        welcome = next(c for c in fake.calls_of("sendMessage") if c.chat_id == USER)
        pages_before = [c for c in fake.calls_of("sendDocument") if c.at < welcome.at]
        # Structural, not timed (timings live in bench/): with 8 workers and 2 s per page, an
        # answer before the 9th page is delivered cannot have waited behind the 50 jobs.
        assert len(pages_before) <= 8
        assert running.container.queue().depth() > 30
    finally:
        running.stop()
