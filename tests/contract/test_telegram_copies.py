"""TelegramMessenger's copies (broadcasts), posted and edited texts, and what updates say about a
message's id and whether it can be copied: the real telebot over real HTTP against the fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from telebot import types

from adapters.telegram import RetryPolicy, TelegramCaller, TelegramMessenger, make_bot
from adapters.telegram.updates import to_callback, to_message
from paintcore.dialog import IncomingCallback, IncomingMessage
from paintcore.domain.errors import DeliveryFailed, RateLimited, RecipientBlocked
from paintcore.domain.messages import InlineButton, InlineKeyboard
from support.fake_telegram import FakeBotAPI

ADMIN = 7
CHAT = 42
PRIVATE = {"id": ADMIN, "type": "private"}
INVOICE = {
    "title": "Набор",
    "description": "10 раскрасок",
    "start_parameter": "",
    "currency": "XTR",
    "total_amount": 50,
}
QUIZ = {  # a quiz whose answer the bot was not told
    "id": "p",
    "question": "?",
    "options": [],
    "total_voter_count": 0,
    "is_closed": False,
    "is_anonymous": False,
    "type": "quiz",
    "allows_multiple_answers": False,
}
BUTTONS = InlineKeyboard(((InlineButton("Стоп", "bc:stop"), InlineButton("Ещё", "bc:more")),))


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def messenger_for(fake: FakeBotAPI, slept: list[float] | None = None) -> TelegramMessenger:
    record = slept if slept is not None else []
    caller = TelegramCaller(RetryPolicy(attempts=3, base_delay=0.01), sleep=record.append)
    return TelegramMessenger(make_bot(fake.token, fake.base_url), caller, action_every=0.05)


def admin_message(fake: FakeBotAPI, text: str = "Новые раскраски!") -> int:
    message_id = fake.message_id_of(fake.push_text(ADMIN, text))
    assert message_id is not None
    return message_id


def copy_attempts(fake: FakeBotAPI) -> list[int]:
    return [a.status for a in fake.attempts if a.method == "copyMessage"]


# ---- copies ---------------------------------------------------------------------------------


def test_a_copy_returns_the_new_message_id_and_the_fake_records_its_source(
    fake: FakeBotAPI,
) -> None:
    source = admin_message(fake)
    new_id = messenger_for(fake).copy_message(CHAT, ADMIN, source)

    assert fake.copies_to(CHAT) == [
        {
            "chat_id": CHAT,
            "from_chat_id": ADMIN,
            "message_id": source,
            "allow_paid_broadcast": False,
            "new_message_id": new_id,
        }
    ]
    copied = fake.message(CHAT, new_id)
    assert copied is not None and copied["text"] == "Новые раскраски!"
    assert "allow_paid_broadcast" not in fake.calls_of("copyMessage")[0].params


def test_a_copy_of_a_photo_keeps_the_photo_and_its_caption(fake: FakeBotAPI) -> None:
    source = fake.message_id_of(fake.push_photo(ADMIN, caption="смотрите"))
    assert source is not None
    new_id = messenger_for(fake).copy_message(CHAT, ADMIN, source)
    copied = fake.message(CHAT, new_id)
    assert copied is not None and copied["caption"] == "смотрите" and copied["photo"]


def test_a_paid_copy_asks_for_a_paid_broadcast(fake: FakeBotAPI) -> None:
    source = admin_message(fake)
    messenger_for(fake).copy_message(CHAT, ADMIN, source, paid=True)
    [copied] = fake.copies()
    assert copied["allow_paid_broadcast"] is True
    assert str(fake.calls_of("copyMessage")[0].params["allow_paid_broadcast"]).lower() == "true"


def test_a_429_is_rate_limited_at_once_for_the_engine_to_wait_out(fake: FakeBotAPI) -> None:
    source = admin_message(fake)
    slept: list[float] = []
    fake.rate_limit(CHAT, retry_after=7, times=None)
    with pytest.raises(RateLimited) as limited:
        messenger_for(fake, slept).copy_message(CHAT, ADMIN, source)
    assert limited.value.retry_after == 7
    assert copy_attempts(fake) == [429] and slept == []  # one call, no retry, no wait
    assert fake.copies() == []


def test_a_user_who_blocked_the_bot_is_a_blocked_recipient(fake: FakeBotAPI) -> None:
    source = admin_message(fake)
    fake.block(CHAT)
    with pytest.raises(RecipientBlocked):
        messenger_for(fake).copy_message(CHAT, ADMIN, source)
    assert copy_attempts(fake) == [403]


def test_a_chat_not_found_is_a_blocked_recipient(fake: FakeBotAPI) -> None:
    source = admin_message(fake)
    fake.chat_not_found(CHAT)
    with pytest.raises(RecipientBlocked, match="chat not found"):
        messenger_for(fake).copy_message(CHAT, ADMIN, source)
    fake.unblock(CHAT)
    assert messenger_for(fake).copy_message(CHAT, ADMIN, source) > 0


def test_a_server_error_fails_the_copy_after_one_call(fake: FakeBotAPI) -> None:
    source = admin_message(fake)
    slept: list[float] = []
    fake.fail("copyMessage", status=500, times=None)
    with pytest.raises(DeliveryFailed, match="500"):
        messenger_for(fake, slept).copy_message(CHAT, ADMIN, source)
    assert copy_attempts(fake) == [500] and slept == []


def test_faults_for_one_chat_leave_the_others_alone(fake: FakeBotAPI) -> None:
    source = admin_message(fake)
    fake.rate_limit(43, retry_after=3, times=2)
    m = messenger_for(fake)
    for _ in range(2):
        with pytest.raises(RateLimited):
            m.copy_message(43, ADMIN, source)
    m.copy_message(CHAT, ADMIN, source)
    m.copy_message(43, ADMIN, source)  # the two 429s are spent
    assert [c["chat_id"] for c in fake.copies()] == [CHAT, 43]


def test_copying_a_message_never_sent_or_one_telegram_cannot_copy_fails(fake: FakeBotAPI) -> None:
    with pytest.raises(DeliveryFailed, match="message to copy not found"):
        messenger_for(fake).copy_message(CHAT, ADMIN, 999)
    update_id = fake.push_update({"message": {**_message(ADMIN, 500), "invoice": INVOICE}})
    assert fake.message_id_of(update_id) == 500
    with pytest.raises(DeliveryFailed, match="can't be copied"):
        messenger_for(fake).copy_message(CHAT, ADMIN, 500)
    assert fake.copies() == []


# ---- posted and edited texts ---------------------------------------------------------------


def test_a_posted_text_has_an_id_and_its_buttons(fake: FakeBotAPI) -> None:
    message_id = messenger_for(fake).post_text(ADMIN, "Рассылка: 0 из 10", keyboard=BUTTONS)
    shown = fake.message(ADMIN, message_id)
    assert shown is not None and shown["text"] == "Рассылка: 0 из 10"
    assert _buttons(shown) == [[("Стоп", "bc:stop"), ("Ещё", "bc:more")]]


def test_a_posted_text_is_cut_to_one_message(fake: FakeBotAPI) -> None:
    message_id = messenger_for(fake).post_text(ADMIN, "я" * 5000)
    shown = fake.message(ADMIN, message_id)
    assert shown is not None and len(shown["text"]) == 4096
    assert len(fake.calls_of("sendMessage")) == 1


def test_an_edit_changes_the_text_and_buttons(fake: FakeBotAPI) -> None:
    m = messenger_for(fake)
    message_id = m.post_text(ADMIN, "Рассылка: 0 из 10", keyboard=BUTTONS)
    stop_only = InlineKeyboard(((InlineButton("Стоп", "bc:stop"),),))
    m.edit_text(ADMIN, message_id, "Рассылка: 5 из 10", keyboard=stop_only)
    shown = fake.message(ADMIN, message_id)
    assert shown is not None and shown["text"] == "Рассылка: 5 из 10"
    assert _buttons(shown) == [[("Стоп", "bc:stop")]]

    m.edit_text(ADMIN, message_id, "Готово")  # no keyboard: the buttons go
    shown = fake.message(ADMIN, message_id)
    assert shown is not None and "reply_markup" not in shown
    assert [(e["text"], e["message_id"]) for e in fake.edits_to(ADMIN)] == [
        ("Рассылка: 5 из 10", message_id),
        ("Готово", message_id),
    ]


def test_an_edit_that_changes_nothing_is_no_error(fake: FakeBotAPI) -> None:
    m = messenger_for(fake)
    message_id = m.post_text(ADMIN, "Рассылка: 0 из 10", keyboard=BUTTONS)
    m.edit_text(ADMIN, message_id, "Рассылка: 0 из 10", keyboard=BUTTONS)
    assert [a.status for a in fake.attempts if a.method == "editMessageText"] == [400]
    assert fake.edits_to(ADMIN) == []


def test_editing_a_message_that_is_not_there_fails(fake: FakeBotAPI) -> None:
    with pytest.raises(DeliveryFailed, match="message to edit not found"):
        messenger_for(fake).edit_text(ADMIN, 12345, "Готово")


def test_an_edit_in_a_chat_that_blocked_the_bot_is_a_blocked_recipient(fake: FakeBotAPI) -> None:
    m = messenger_for(fake)
    message_id = m.post_text(ADMIN, "Рассылка: 0 из 10")
    fake.block(ADMIN)
    with pytest.raises(RecipientBlocked):
        m.edit_text(ADMIN, message_id, "Рассылка: 1 из 10")


def test_an_edit_rate_limited_for_long_fails_instead_of_waiting(fake: FakeBotAPI) -> None:
    m = messenger_for(fake)
    message_id = m.post_text(ADMIN, "Рассылка: 0 из 10")
    fake.rate_limit(ADMIN, retry_after=30, method="editMessageText")
    with pytest.raises(DeliveryFailed, match="editMessageText"):
        m.edit_text(ADMIN, message_id, "Рассылка: 1 из 10")


# ---- what updates say about a message --------------------------------------------------------


def _next_message(fake: FakeBotAPI, update_id: int) -> IncomingMessage:
    bot = make_bot(fake.token, fake.base_url)
    [update] = [u for u in bot.get_updates(offset=update_id, timeout=0) if u.update_id == update_id]
    assert update.message is not None
    event = to_message(update.update_id, update.message)
    assert event is not None
    return event


def test_a_message_event_carries_its_id_and_a_photo_can_be_copied(fake: FakeBotAPI) -> None:
    update_id = fake.push_photo(ADMIN, caption="для всех")
    event = _next_message(fake, update_id)
    assert event.message_id == fake.message_id_of(update_id) and event.copyable


def test_a_text_can_be_copied(fake: FakeBotAPI) -> None:
    update_id = fake.push_text(ADMIN, "всем привет")
    event = _next_message(fake, update_id)
    assert event.message_id == fake.message_id_of(update_id) and event.copyable


@pytest.mark.parametrize(
    "content",
    [
        {"invoice": INVOICE},
        {"pinned_message": {"message_id": 1, "date": 0, "chat": PRIVATE, "text": "x"}},
        {"new_chat_members": [{"id": 5, "is_bot": False, "first_name": "Б"}]},
        {"paid_media": {"star_count": 5, "paid_media": []}},
        {"text": "секрет", "has_protected_content": True},
        {"poll": QUIZ},
    ],
    ids=["invoice", "pinned_message", "new_chat_members", "paid_media", "protected", "quiz"],
)
def test_messages_telegram_cannot_copy_are_marked_so(
    fake: FakeBotAPI, content: dict[str, object]
) -> None:
    message = {**_message(ADMIN, 300), **content}
    event = _next_message(fake, fake.push_update({"message": message}))
    assert event.message_id == 300 and not event.copyable
    with pytest.raises(DeliveryFailed, match="can't be copied"):  # and the fake agrees
        messenger_for(fake).copy_message(CHAT, ADMIN, 300)


def test_a_button_press_carries_the_id_of_the_message_it_is_under(fake: FakeBotAPI) -> None:
    message_id = messenger_for(fake).post_text(CHAT, "Рассылка", keyboard=BUTTONS)
    update_id = fake.push_callback(CHAT, "bc:stop")
    bot = make_bot(fake.token, fake.base_url)
    [update] = bot.get_updates(offset=update_id, timeout=0)
    assert isinstance(update.callback_query, types.CallbackQuery)
    event = to_callback(update.update_id, update.callback_query)
    assert isinstance(event, IncomingCallback)
    assert (event.chat_id, event.message_id, event.data) == (CHAT, message_id, "bc:stop")


def _message(chat_id: int, message_id: int) -> dict[str, object]:
    """A raw message from the user `chat_id` in their private chat, without content."""
    return {
        "message_id": message_id,
        "date": 0,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Админ"},
    }


def _buttons(message: dict[str, object]) -> list[list[tuple[str, str]]]:
    markup = message["reply_markup"]
    assert isinstance(markup, dict)
    return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]
