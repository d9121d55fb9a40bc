"""TelegramPolling with the real telebot over real HTTP: order, errors, and a clean stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from adapters.telegram import BotCommandSpec, TelegramPolling, TelegramUnauthorized, make_bot
from paintcore.dialog import IncomingCallback, IncomingMessage, MessageKind
from support.fake_telegram import FakeBotAPI


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


class Recorder:
    def __init__(self, delay: float = 0.0, fail_on: str | None = None) -> None:
        self.messages: list[IncomingMessage] = []
        self.callbacks: list[IncomingCallback] = []
        self.delay = delay
        self.fail_on = fail_on
        self._lock = threading.Lock()

    def message(self, event: IncomingMessage) -> None:
        time.sleep(self.delay)
        if self.fail_on is not None and event.text == self.fail_on:
            raise RuntimeError("handler bug")
        with self._lock:
            self.messages.append(event)

    def callback(self, event: IncomingCallback) -> None:
        with self._lock:
            self.callbacks.append(event)


def polling(fake: FakeBotAPI, recorder: Recorder, token: str | None = None) -> TelegramPolling:
    bot = make_bot(token or fake.token, fake.base_url)
    return TelegramPolling(
        bot,
        on_message=recorder.message,
        on_callback=recorder.callback,
        apology=lambda language: f"sorry ({language or '?'})",
        workers=4,
        long_poll=1,
    )


def test_prepare_registers_commands_per_language(fake: FakeBotAPI) -> None:
    me = polling(fake, Recorder()).prepare(
        {"": [BotCommandSpec("start", "Начать")], "en": [BotCommandSpec("start", "Start")]}
    )
    assert me.username == "paint_test_bot" and fake.webhook_deleted
    assert fake.commands[""] == [{"command": "start", "description": "Начать"}]
    assert fake.commands["en"] == [{"command": "start", "description": "Start"}]


def test_a_refused_token_is_a_clear_fatal_error(fake: FakeBotAPI) -> None:
    with pytest.raises(TelegramUnauthorized, match="BOT_TOKEN"):
        polling(fake, Recorder(), token="999:WRONG").prepare({})


def test_events_carry_update_ids_kinds_and_file_ids(fake: FakeBotAPI) -> None:
    recorder = Recorder()
    runner = polling(fake, recorder)
    runner.start()
    try:
        text_update = fake.push_text(
            7, "привет", first_name="Аня", username="anya", language_code="ru"
        )
        fake.push_photo(7, caption="подпись")
        fake.push_sticker(7)
        fake.push_callback(7, "data:1")
        assert fake.wait_for(lambda f: len(recorder.messages) == 3 and len(recorder.callbacks) == 1)
    finally:
        runner.stop(timeout=5)
    text, photo, sticker = recorder.messages
    assert (text.update_id, text.kind, text.text, text.chat_id) == (
        text_update,
        MessageKind.TEXT,
        "привет",
        7,
    )
    assert text.sender.username == "anya" and text.sender.language_code == "ru"
    assert photo.kind is MessageKind.PHOTO and photo.text == "подпись" and photo.file_id
    assert sticker.kind is MessageKind.STICKER and sticker.file_id
    assert recorder.callbacks[0].data == "data:1" and recorder.callbacks[0].chat_id == 7


def test_one_chats_messages_keep_their_order_while_chats_run_in_parallel(fake: FakeBotAPI) -> None:
    recorder = Recorder(delay=0.05)
    runner = polling(fake, recorder)
    runner.start()
    try:
        started = time.monotonic()
        for n in range(5):
            for chat in (1, 2, 3, 4):
                fake.push_text(chat, f"{chat}-{n}")
        assert fake.wait_for(lambda f: len(recorder.messages) == 20, timeout=10)
        elapsed = time.monotonic() - started
    finally:
        runner.stop(timeout=5)
    for chat in (1, 2, 3, 4):
        assert [m.text for m in recorder.messages if m.chat_id == chat] == [
            f"{chat}-{n}" for n in range(5)
        ]
    assert elapsed < 20 * 0.05, "four chats on four workers overlap"


def test_a_handler_exception_is_answered_with_an_apology_and_polling_goes_on(
    fake: FakeBotAPI,
) -> None:
    recorder = Recorder(fail_on="boom")
    runner = polling(fake, recorder)
    runner.start()
    try:
        fake.push_text(5, "boom", language_code="en")
        fake.push_text(5, "after")
        assert fake.wait_for(
            lambda f: "sorry (en)" in f.texts_to(5) and len(recorder.messages) == 1
        )
    finally:
        runner.stop(timeout=5)
    assert recorder.messages[0].text == "after"


def test_polling_survives_network_errors_and_server_errors(fake: FakeBotAPI) -> None:
    recorder = Recorder()
    runner = polling(fake, recorder)
    fake.drop_connection("getUpdates", times=1)
    fake.fail("getUpdates", status=502, times=1)
    runner.start()
    try:
        fake.push_text(9, "still here")
        assert fake.wait_for(lambda f: len(recorder.messages) == 1, timeout=15)
    finally:
        runner.stop(timeout=5)


def test_a_token_revoked_while_running_stops_with_a_fatal_error(fake: FakeBotAPI) -> None:
    runner = polling(fake, Recorder())
    fake.fail("getUpdates", status=401, description="Unauthorized", times=None)
    runner.start()
    with pytest.raises(TelegramUnauthorized):
        runner.wait(timeout=10)


def test_stop_confirms_handled_updates_and_leaves_later_ones_for_the_next_start(
    fake: FakeBotAPI,
) -> None:
    recorder = Recorder()
    first = polling(fake, recorder)
    first.start()
    fake.push_text(3, "one")
    fake.push_text(3, "two")
    assert fake.wait_for(lambda f: len(recorder.messages) == 2)
    assert first.stop(timeout=10)
    fake.push_text(3, "three")  # arrives while the bot is down

    again = Recorder()
    second = polling(fake, again)
    second.start()
    try:
        assert fake.wait_for(lambda f: len(again.messages) == 1)
        time.sleep(0.3)
    finally:
        second.stop(timeout=10)
    assert [m.text for m in again.messages] == ["three"]  # nothing handled twice, nothing lost
