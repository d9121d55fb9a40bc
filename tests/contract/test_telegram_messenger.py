"""TelegramMessenger and TelegramCaller with the real telebot over real HTTP: what is sent, and how
Telegram's errors become core errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.telegram import RetryPolicy, TelegramCaller, TelegramMessenger, make_bot
from adapters.telegram.messenger import pdf_name
from paintcore.domain.errors import (
    DeliveryFailed,
    PartiallyDelivered,
    RateLimited,
    RecipientBlocked,
)
from paintcore.domain.messages import Keyboard
from paintcore.domain.pages import ColoringPage
from support.fake_telegram import FakeBotAPI

CHAT = 42
PAGE = ColoringPage('кот; в "шляпе"/1', b"\x89PNG fake", b"%PDF-1.4 fake", 2480, 3508, "test")


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def messenger_for(
    fake: FakeBotAPI, *, attempts: int = 3, slept: list[float] | None = None
) -> TelegramMessenger:
    record = slept if slept is not None else []
    caller = TelegramCaller(RetryPolicy(attempts=attempts, base_delay=0.01), sleep=record.append)
    return TelegramMessenger(make_bot(fake.token, fake.base_url), caller, action_every=0.05)


def test_text_with_a_menu_becomes_a_persistent_reply_keyboard(fake: FakeBotAPI) -> None:
    messenger_for(fake).send_text(CHAT, "привет", keyboard=Keyboard((("A", "B"), ("C",))))
    [call] = fake.calls_of("sendMessage")
    markup = call.params["reply_markup"]
    assert call.params["text"] == "привет" and call.chat_id == CHAT
    assert [[b["text"] for b in row] for row in markup["keyboard"]] == [["A", "B"], ["C"]]  # type: ignore[index]
    assert markup["resize_keyboard"] is True  # type: ignore[index]


def test_over_long_text_is_split_and_the_menu_goes_with_the_last_part(fake: FakeBotAPI) -> None:
    messenger_for(fake).send_text(CHAT, "я" * 5000, keyboard=Keyboard((("A",),)))
    first, second = fake.calls_of("sendMessage")
    assert len(str(first.params["text"])) == 4096 and len(str(second.params["text"])) == 904
    assert "reply_markup" not in first.params and "reply_markup" in second.params


def test_one_welcome_photo_is_a_photo_and_several_are_albums_of_ten(fake: FakeBotAPI) -> None:
    m = messenger_for(fake)
    m.send_photos(CHAT, ["only"])
    m.send_photos(CHAT, [f"id{n}" for n in range(11)])
    assert [c.params["photo"] for c in fake.calls_of("sendPhoto")] == ["only", "id10"]
    [album] = fake.calls_of("sendMediaGroup")
    assert album.media_files() == [f"id{n}" for n in range(10)]


def test_a_page_is_a_photo_with_caption_and_a_pdf_named_after_the_description(
    fake: FakeBotAPI,
) -> None:
    messenger_for(fake).send_page(CHAT, PAGE, caption="Готово")
    [photo] = fake.calls_of("sendPhoto")
    [document] = fake.calls_of("sendDocument")
    assert photo.params["caption"] == "Готово" and photo.files["photo"][1] == PAGE.png
    name, body = document.files["document"]
    assert body == PAGE.pdf and name == pdf_name(PAGE.title) == "кот в шляпе 1.pdf"


def test_a_page_whose_pdf_fails_is_taken_back_so_nothing_was_delivered(fake: FakeBotAPI) -> None:
    fake.fail("sendDocument", status=500, times=None)
    with pytest.raises(DeliveryFailed, match="sendDocument"):
        messenger_for(fake).send_page(CHAT, PAGE, caption="Готово")
    [photo] = fake.calls_of("sendPhoto")
    assert len(fake.calls_of("deleteMessage")) == 1
    assert fake.message(CHAT, photo.result["message_id"]) is None  # type: ignore[index]


def test_a_picture_that_cannot_be_taken_back_is_a_partial_delivery(fake: FakeBotAPI) -> None:
    fake.fail("sendDocument", status=500, times=None)
    fake.fail("deleteMessage", status=400, description="Bad Request: message can't be deleted")
    with pytest.raises(PartiallyDelivered):
        messenger_for(fake).send_page(CHAT, PAGE, caption="Готово")
    [photo] = fake.calls_of("sendPhoto")
    assert fake.message(CHAT, photo.result["message_id"]) is not None  # type: ignore[index]


def test_a_user_who_blocks_the_bot_between_picture_and_pdf_is_not_chased(
    fake: FakeBotAPI,
) -> None:
    # They will be told nothing more, so nothing needs taking back to keep what they read true.
    fake.fail("sendDocument", status=403, description="Forbidden: bot was blocked by the user")
    with pytest.raises(RecipientBlocked):
        messenger_for(fake).send_page(CHAT, PAGE, caption="Готово")
    assert fake.calls_of("deleteMessage") == []


def test_an_over_long_caption_is_cut_to_what_telegram_takes(fake: FakeBotAPI) -> None:
    messenger_for(fake).send_page(CHAT, PAGE, caption="я" * 5000)
    [photo] = fake.calls_of("sendPhoto")  # the fake refuses captions over 1024 like Telegram
    assert photo.params["caption"] == "я" * 1024


def test_working_keeps_the_upload_photo_action_alive_until_done(fake: FakeBotAPI) -> None:
    with messenger_for(fake).working(CHAT):
        assert fake.wait_for(lambda f: len(f.calls_of("sendChatAction")) >= 3, timeout=5)
    settled = len(fake.calls_of("sendChatAction"))
    assert all(c.params["action"] == "upload_photo" for c in fake.calls_of("sendChatAction"))
    assert not fake.wait_for(lambda f: len(f.calls_of("sendChatAction")) > settled, timeout=0.3)


def test_429_waits_retry_after_and_retries(fake: FakeBotAPI) -> None:
    slept: list[float] = []
    fake.fail("sendMessage", status=429, retry_after=3)
    messenger_for(fake, slept=slept).send_text(CHAT, "hi")
    assert slept == [3.0] and len(fake.calls_of("sendMessage")) == 1


def test_429_that_never_ends_becomes_rate_limited(fake: FakeBotAPI) -> None:
    fake.fail("sendMessage", status=429, retry_after=2, times=None)
    with pytest.raises(RateLimited) as limited:
        messenger_for(fake, attempts=2).send_text(CHAT, "hi")
    assert limited.value.retry_after == 2


@pytest.mark.parametrize(
    "description",
    ["Forbidden: bot was blocked by the user", "Forbidden: user is deactivated"],
)
def test_403_means_the_recipient_is_gone_and_is_not_retried(
    fake: FakeBotAPI, description: str
) -> None:
    fake.fail("sendMessage", status=403, description=description, times=None)
    with pytest.raises(RecipientBlocked):
        messenger_for(fake).send_text(CHAT, "hi")
    assert len([a for a in fake.attempts if a.method == "sendMessage"]) == 1


def test_400_chat_not_found_is_a_gone_recipient_but_other_400s_are_delivery_failures(
    fake: FakeBotAPI,
) -> None:
    fake.fail("sendMessage", status=400, description="Bad Request: chat not found")
    with pytest.raises(RecipientBlocked):
        messenger_for(fake).send_text(CHAT, "hi")
    fake.fail("sendMessage", status=400, description="Bad Request: can't parse entities")
    with pytest.raises(DeliveryFailed, match="can't parse"):
        messenger_for(fake).send_text(CHAT, "hi")


def test_server_errors_and_dropped_connections_back_off_then_fail_plainly(fake: FakeBotAPI) -> None:
    slept: list[float] = []
    fake.fail("sendMessage", status=502, times=None)
    with pytest.raises(DeliveryFailed, match="502"):
        messenger_for(fake, attempts=3, slept=slept).send_text(CHAT, "hi")
    assert len(slept) == 2 and slept[1] > slept[0] * 0.9  # exponential, with jitter

    fake.drop_connection("sendDocument", times=None)
    with pytest.raises(DeliveryFailed, match="ConnectionError"):
        messenger_for(fake, attempts=2).send_page(CHAT, PAGE, caption="x")


def test_stale_callback_answers_never_raise(fake: FakeBotAPI) -> None:
    messenger_for(fake).answer_callback(
        "no-such-query", "notice"
    )  # the fake answers 400 "query is too old"
    assert [a.status for a in fake.attempts if a.method == "answerCallbackQuery"] == [400]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("a/b\\c", "a b c.pdf"),
        ("", "coloring-page.pdf"),
        ("x" * 100, "x" * 60 + ".pdf"),
        ("кот.", "кот.pdf"),
    ],
)
def test_pdf_names_are_safe(title: str, expected: str) -> None:
    assert pdf_name(title) == expected
