"""The fake Bot API server, driven by the real pyTelegramBotAPI client over real HTTP.

If these pass, the fake speaks telebot's dialect: query-string parameters, multipart uploads with
bare UTF-8 filenames, JSON-string parameters, long polling, and Telegram's error envelope.
"""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from collections.abc import Iterator

import pytest
import requests
import telebot
from telebot import apihelper, types

from support.fake_telegram import FakeBotAPI

TOKEN = "123456:TEST"
ANYA = 42
BORIS = 43


def png(width: int, height: int) -> bytes:
    """A valid 1-bit grey PNG, all white."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff" * ((width + 7) // 8) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(token=TOKEN, bot_username="paint_test_bot") as api:
        yield api


@pytest.fixture
def bot(fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[telebot.TeleBot]:
    monkeypatch.setattr(apihelper, "API_URL", fake.api_url)
    monkeypatch.setattr(apihelper, "FILE_URL", fake.file_url)
    yield telebot.TeleBot(TOKEN, threaded=False)
    apihelper._get_req_session().close()  # drop keep-alive connections to this fake


# ---- the bot's side -------------------------------------------------------------------------


def test_get_me_describes_the_bot(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    me = bot.get_me()

    assert (me.id, me.is_bot, me.username) == (123456, True, "paint_test_bot")
    assert [c.method for c in fake.calls] == ["getMe"]


def test_send_message_records_text_and_decoded_reply_keyboard(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    fake.push_text(ANYA, "/start", first_name="Аня")
    keyboard = types.ReplyKeyboardMarkup(resize_keyboard=True).row("🎨 Раскраска", "💰 Баланс")

    sent = bot.send_message(ANYA, "Привет!", reply_markup=keyboard)

    (call,) = fake.calls_of("sendMessage")
    assert call.chat_id == ANYA
    assert call.params["text"] == "Привет!"
    assert call.params["reply_markup"] == {
        "keyboard": [[{"text": "🎨 Раскраска"}, {"text": "💰 Баланс"}]],
        "resize_keyboard": True,
    }
    assert (sent.text, sent.chat.id, sent.chat.first_name, sent.from_user.is_bot) == (
        "Привет!",
        ANYA,
        "Аня",
        True,
    )
    second = bot.send_message(ANYA, "ещё")
    assert second.message_id > sent.message_id


def test_send_photo_upload_records_bytes_filename_and_answers_with_sizes(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    data = png(1000, 1400)

    sent = bot.send_photo(
        ANYA, types.InputFile(io.BytesIO(data), file_name="page.png"), caption="Готово"
    )

    (call,) = fake.calls_of("sendPhoto")
    assert call.files == {"photo": ("page.png", data)}
    assert (call.params["caption"], call.http_method) == ("Готово", "POST")
    assert sent.caption == "Готово"
    assert [(p.width, p.height) for p in sent.photo][-1] == (1000, 1400)
    assert len({p.file_id for p in sent.photo}) == len(sent.photo) > 1
    stored = fake.file(sent.photo[-1].file_id)
    assert stored is not None and stored.content == data


def test_send_document_keeps_a_non_ascii_visible_file_name(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    # telebot sends the name bare and unescaped (filename=Кот в сапогах.pdf), so a ";" in it
    # would cut it short on any server; spaces and Cyrillic survive.
    sent = bot.send_document(ANYA, b"%PDF-1.4 page", visible_file_name="Кот в сапогах.pdf")

    (call,) = fake.calls_of("sendDocument")
    assert call.files == {"document": ("Кот в сапогах.pdf", b"%PDF-1.4 page")}
    assert sent.document.file_name == "Кот в сапогах.pdf"
    assert sent.document.mime_type == "application/pdf"


def test_send_document_and_photo_accept_a_file_id(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    first = bot.send_document(ANYA, io.BytesIO(b"data"), visible_file_name="a.pdf")

    again = bot.send_document(BORIS, first.document.file_id)
    photo = bot.send_photo(BORIS, "AgACAgIAAxkBAAIBQ2Welcome")

    assert again.document.file_id == first.document.file_id
    assert again.document.file_name == "a.pdf"
    assert photo.photo[-1].file_id == "AgACAgIAAxkBAAIBQ2Welcome"
    assert fake.calls_of("sendDocument")[1].files == {}
    assert fake.calls_of("sendDocument")[1].params["document"] == first.document.file_id


def test_send_media_group_with_file_ids(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    sent = bot.send_media_group(
        ANYA,
        [types.InputMediaPhoto("welcome-1", caption="Пример"), types.InputMediaPhoto("welcome-2")],
    )

    (call,) = fake.calls_of("sendMediaGroup")
    assert call.http_method == "GET"  # telebot GETs a media group without uploads
    assert call.params["media"] == [
        {"type": "photo", "media": "welcome-1", "caption": "Пример"},
        {"type": "photo", "media": "welcome-2"},
    ]
    assert call.media_files() == ["welcome-1", "welcome-2"]
    assert [m.photo[-1].file_id for m in sent] == ["welcome-1", "welcome-2"]
    assert sent[0].media_group_id == sent[1].media_group_id is not None
    assert sent[0].caption == "Пример"


def test_send_media_group_with_uploads_resolves_attach_parts(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    pages = [
        types.InputMediaDocument(types.InputFile(io.BytesIO(b"png"), file_name="page.png")),
        types.InputMediaDocument(types.InputFile(io.BytesIO(b"pdf"), file_name="page.pdf")),
    ]

    sent = bot.send_media_group(ANYA, pages)

    (call,) = fake.calls_of("sendMediaGroup")
    assert call.media_files() == [("page.png", b"png"), ("page.pdf", b"pdf")]
    assert [m.document.file_name for m in sent] == ["page.png", "page.pdf"]


def test_send_chat_action(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    assert bot.send_chat_action(ANYA, "upload_photo") is True

    (call,) = fake.calls_of("sendChatAction")
    assert (call.chat_id, call.params["action"]) == (ANYA, "upload_photo")
    with pytest.raises(apihelper.ApiTelegramException) as error:
        bot.send_chat_action(ANYA, "painting")
    assert error.value.error_code == 400


def test_set_my_commands_per_language_and_delete_webhook(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    bot.set_my_commands(
        [types.BotCommand("start", "Начать"), types.BotCommand("balance", "Баланс")],
        language_code="ru",
    )
    bot.set_my_commands([types.BotCommand("start", "Start")])
    assert not fake.webhook_deleted
    bot.delete_webhook(drop_pending_updates=False)

    assert fake.commands == {
        "ru": [
            {"command": "start", "description": "Начать"},
            {"command": "balance", "description": "Баланс"},
        ],
        "": [{"command": "start", "description": "Start"}],
    }
    assert [c.command for c in bot.get_my_commands(language_code="ru")] == ["start", "balance"]
    assert fake.webhook_deleted


def test_edit_message_text_and_answer_callback_query(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    menu = types.InlineKeyboardMarkup()
    menu.add(types.InlineKeyboardButton("A4", callback_data="size:a4"))
    sent = bot.send_message(ANYA, "Размер?", reply_markup=menu)
    update_id = fake.push_callback(ANYA, "size:a4")
    (update,) = bot.get_updates(offset=update_id, long_polling_timeout=1)
    query = update.callback_query

    bot.answer_callback_query(query.id, "Ок")
    edited = bot.edit_message_text("Размер: A4", ANYA, query.message.message_id)

    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup.keyboard[0][0].callback_data == "size:a4"
    assert edited.text == "Размер: A4" and edited.reply_markup is None
    assert fake.message(ANYA, sent.message_id)["text"] == "Размер: A4"  # type: ignore[index]
    assert [c.method for c in fake.sent_to(ANYA)] == [
        "sendMessage",
        "answerCallbackQuery",
        "editMessageText",
    ]
    assert fake.texts_to(ANYA) == ["Размер?", "Размер: A4"]
    with pytest.raises(apihelper.ApiTelegramException, match="message is not modified"):
        bot.edit_message_text("Размер: A4", ANYA, sent.message_id)
    with pytest.raises(apihelper.ApiTelegramException, match="query is too old"):
        bot.answer_callback_query("no-such-query")


def test_stars_invoice_pre_checkout_and_refund(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    invoice = bot.send_invoice(
        ANYA, "10 раскрасок", "Пакет", "pack:10", "", "XTR", [types.LabeledPrice("10", 50)]
    )
    checkout_id = fake.push_pre_checkout(ANYA, "pack:10", 50)
    paid_id = fake.push_successful_payment(ANYA, "pack:10", 50, charge_id="charge-1")
    checkout, paid = bot.get_updates(long_polling_timeout=1)

    assert bot.answer_pre_checkout_query(checkout.pre_checkout_query.id, ok=True)
    assert bot.refund_star_payment(ANYA, "charge-1")

    assert (invoice.invoice.currency, invoice.invoice.total_amount) == ("XTR", 50)
    assert fake.calls_of("sendInvoice")[0].params["prices"] == [{"label": "10", "amount": 50}]
    assert (checkout.update_id, paid.update_id) == (checkout_id, paid_id)
    assert checkout.pre_checkout_query.invoice_payload == "pack:10"
    assert paid.message.successful_payment.telegram_payment_charge_id == "charge-1"
    assert [c.method for c in fake.sent_to(ANYA)][-2:] == ["sendInvoice", "answerPreCheckoutQuery"]
    with pytest.raises(apihelper.ApiTelegramException, match="CHARGE_ALREADY_REFUNDED"):
        bot.refund_star_payment(ANYA, "charge-1")


# ---- updates ----------------------------------------------------------------------------------


def test_get_updates_returns_pushed_updates_as_telebot_types(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    ids = [
        fake.push_text(ANYA, "кот на луне", first_name="Аня", username="anya", language_code="ru"),
        fake.push_photo(ANYA, caption="вот", content=png(64, 48)),
        fake.push_sticker(ANYA),
        fake.push_voice(ANYA, duration=3),
        fake.push_document(BORIS, file_name="рисунок.pdf", first_name="Борис"),
        fake.push_callback(ANYA, "buy:10"),
    ]

    updates = bot.get_updates(long_polling_timeout=1)

    assert [u.update_id for u in updates] == ids == sorted(ids)
    text, photo, sticker, voice, document, callback = updates
    assert text.message.content_type == "text"
    assert (text.message.text, text.message.chat.id, text.message.chat.type) == (
        "кот на луне",
        ANYA,
        "private",
    )
    assert (text.message.from_user.first_name, text.message.from_user.username) == ("Аня", "anya")
    assert text.message.from_user.language_code == "ru" and not text.message.from_user.is_bot
    assert photo.message.content_type == "photo" and photo.message.caption == "вот"
    assert (photo.message.photo[-1].width, photo.message.photo[-1].height) == (64, 48)
    assert bot.download_file(bot.get_file(photo.message.photo[-1].file_id).file_path) == png(64, 48)
    assert sticker.message.content_type == "sticker" and sticker.message.sticker.file_id
    assert voice.message.content_type == "voice" and voice.message.voice.duration == 3
    assert document.message.document.file_name == "рисунок.pdf"
    assert document.message.from_user.first_name == "Борис"
    assert callback.callback_query.data == "buy:10"
    assert callback.callback_query.from_user.id == ANYA
    assert callback.callback_query.id == fake.callback_query_id(ids[-1])
    assert callback.callback_query.message.chat.id == ANYA


def test_offset_confirms_earlier_updates(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    first = fake.push_text(ANYA, "один")
    second = fake.push_text(ANYA, "два")
    third = fake.push_text(ANYA, "три")

    assert [u.update_id for u in bot.get_updates(limit=2, long_polling_timeout=1)] == [
        first,
        second,
    ]
    assert [u.update_id for u in bot.get_updates(offset=second + 1, long_polling_timeout=1)] == [
        third
    ]
    assert [u["update_id"] for u in fake.pending_updates] == [third]
    assert bot.get_updates(offset=third + 1, long_polling_timeout=0.3) == []  # after 0.3 s


def test_negative_offset_keeps_only_the_latest_updates(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    fake.push_text(ANYA, "старое")
    last = fake.push_text(ANYA, "новое")

    assert [u.update_id for u in bot.get_updates(offset=-1, long_polling_timeout=1)] == [last]
    assert [u["update_id"] for u in fake.pending_updates] == [last]


def test_long_poll_returns_promptly_after_a_push(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    got: list[list[types.Update]] = []
    poller = threading.Thread(target=lambda: got.append(bot.get_updates(long_polling_timeout=5)))
    poller.start()
    assert fake.wait_for(lambda f: f.polls_waiting == 1, timeout=2)
    pushed_at = time.monotonic()

    fake.push_text(ANYA, "привет")
    poller.join(timeout=3)

    assert time.monotonic() - pushed_at < 1.0
    assert [u.message.text for u in got[0]] == ["привет"]


def test_stop_releases_a_pending_long_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeBotAPI(token=TOKEN).start()
    monkeypatch.setattr(apihelper, "API_URL", fake.api_url)
    bot = telebot.TeleBot(TOKEN, threaded=False)
    outcome: list[object] = []

    def poll() -> None:
        try:
            outcome.append(bot.get_updates(long_polling_timeout=10))
        except requests.RequestException as exc:
            outcome.append(exc)

    poller = threading.Thread(target=poll)
    poller.start()
    assert fake.wait_for(lambda f: f.polls_waiting == 1, timeout=2)
    started = time.monotonic()

    fake.stop()
    poller.join(timeout=3)

    assert not poller.is_alive() and time.monotonic() - started < 1.0
    assert len(outcome) == 1
    assert outcome[0] == [] or isinstance(outcome[0], requests.RequestException)
    apihelper._get_req_session().close()


def test_a_second_poller_terminates_the_first_with_409(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    errors: list[apihelper.ApiTelegramException] = []

    def first() -> None:
        try:
            telebot.TeleBot(TOKEN, threaded=False).get_updates(long_polling_timeout=5)
        except apihelper.ApiTelegramException as exc:
            errors.append(exc)

    poller = threading.Thread(target=first)
    poller.start()
    assert fake.wait_for(lambda f: f.polls_waiting == 1, timeout=2)

    assert bot.get_updates(long_polling_timeout=0.2) == []  # the newer poll wins
    poller.join(timeout=3)

    assert [e.error_code for e in errors] == [409]
    assert "terminated by other getUpdates request" in errors[0].description


# ---- failures ---------------------------------------------------------------------------------


def test_injected_429_carries_retry_after_then_the_next_call_succeeds(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    fake.fail("sendMessage", retry_after=3)

    with pytest.raises(apihelper.ApiTelegramException) as error:
        bot.send_message(ANYA, "раз")
    bot.send_message(ANYA, "два")

    assert error.value.error_code == 429
    assert error.value.description == "Too Many Requests: retry after 3"
    assert error.value.result_json["parameters"] == {"retry_after": 3}
    assert [(c.method, c.status) for c in fake.attempts] == [
        ("sendMessage", 429),
        ("sendMessage", 200),
    ]
    assert [c.params["text"] for c in fake.calls] == ["два"]


def test_injected_403_hits_only_the_given_chat(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    fake.fail("sendMessage", status=403, chat_id=BORIS, times=None)

    bot.send_message(ANYA, "ok")
    for _ in range(2):
        with pytest.raises(apihelper.ApiTelegramException) as error:
            bot.send_message(BORIS, "nope")
        assert error.value.error_code == 403
        assert error.value.description == "Forbidden: bot was blocked by the user"
        assert "parameters" not in error.value.result_json

    assert fake.sent_to(ANYA) and not fake.sent_to(BORIS)


def test_blocked_user_gets_403_on_every_method(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    fake.block(BORIS)

    with pytest.raises(apihelper.ApiTelegramException) as error:
        bot.send_chat_action(BORIS, "typing")

    assert error.value.error_code == 403
    fake.unblock(BORIS)
    bot.send_photo(BORIS, "file-id")


def test_injected_500_and_unknown_method(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    fake.fail("*", status=500)

    with pytest.raises(apihelper.ApiTelegramException) as server_error:
        bot.get_me()
    with pytest.raises(apihelper.ApiTelegramException) as unknown:
        bot.get_chat(ANYA)

    assert server_error.value.error_code == 500
    assert server_error.value.description == "Internal Server Error"
    assert unknown.value.error_code == 404
    assert unknown.value.description == "Not Found: method not found"


def test_dropped_connection_is_a_requests_connection_error(
    bot: telebot.TeleBot, fake: FakeBotAPI
) -> None:
    fake.drop_connection("sendMessage")

    with pytest.raises(requests.exceptions.ConnectionError):
        bot.send_message(ANYA, "lost")
    bot.send_message(ANYA, "delivered")

    assert [c.status for c in fake.attempts] == [0, 200]


def test_wrong_token_is_401(fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apihelper, "API_URL", fake.api_url)

    with pytest.raises(apihelper.ApiTelegramException) as error:
        telebot.TeleBot("999:WRONG", threaded=False).get_me()

    assert (error.value.error_code, error.value.description) == (401, "Unauthorized")
    assert fake.calls == []
    apihelper._get_req_session().close()


# ---- other clients and helpers ----------------------------------------------------------------


def test_parameters_from_json_and_form_bodies(fake: FakeBotAPI) -> None:
    url = fake.base_url + f"/bot{TOKEN}/sendMessage"
    with requests.Session() as http:
        by_json = http.post(
            url, json={"chat_id": ANYA, "text": "json", "reply_markup": '{"remove_keyboard": true}'}
        )
        by_form = http.post(url + "?chat_id=43", data={"text": "form"})

    assert by_json.status_code == by_form.status_code == 200
    assert by_json.json()["result"]["text"] == "json"
    first, second = fake.calls
    assert (first.chat_id, first.params["reply_markup"]) == (ANYA, {"remove_keyboard": True})
    assert (second.chat_id, second.params["text"]) == (BORIS, "form")


def test_latency_delays_every_request(bot: telebot.TeleBot, fake: FakeBotAPI) -> None:
    fake.latency = 0.2
    started = time.monotonic()

    bot.get_me()

    assert time.monotonic() - started >= 0.2


def test_wait_calls_reports_what_arrived_on_timeout(fake: FakeBotAPI) -> None:
    with pytest.raises(AssertionError, match="expected 1 sendMessage"):
        fake.wait_calls("sendMessage", 1, timeout=0.1)
