"""The parts of update dispatching on their own: the watermark, fair queues, a webhook's entry."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from telebot import types

from adapters.memory import InMemoryUpdateLog, ManualClock
from adapters.telegram import UpdateDispatcher, make_bot
from adapters.telegram.chat_queues import FairChatQueues
from adapters.telegram.watermark import Watermark
from paintcore.dialog import IncomingMessage
from support.fake_telegram import FakeBotAPI


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def test_the_offset_passes_only_the_unbroken_run_of_handled_updates() -> None:
    watermark = Watermark()
    assert watermark.offset is None  # Telegram starts where it left off
    for update_id in (10, 11, 12):
        assert watermark.take(update_id)
    watermark.settle(11)
    watermark.settle(12)
    assert watermark.offset == 10  # 10 is still in hand: Telegram must deliver it again
    assert not watermark.take(11) and not watermark.take(10)  # delivered again: not new
    watermark.settle(10)
    assert watermark.offset == 13 and watermark.in_hand == 0
    assert not watermark.take(12)


def test_chats_take_turns_and_a_chat_is_held_by_one_taker_at_a_time() -> None:
    queues: FairChatQueues[str] = FairChatQueues(bound=3)
    for item in ("a1", "a2", "a3"):
        assert queues.put(1, item)
    assert not queues.put(1, "a4")  # past the bound
    assert queues.put(2, "b1")
    assert queues.take() == (1, "a1")
    assert queues.take() == (2, "b1")  # chat 1 is held: its a2 waits
    assert queues.release(1)
    assert not queues.release(2)
    assert queues.take() == (1, "a2")
    assert queues.shed(minimum=1) == ["a3"]
    assert queues.close() == []
    assert queues.take() is None


def message_update(update_id: int, chat: int, text: str) -> types.Update:
    """What a webhook receives, parsed the way a webhook server would parse it."""
    sender = {"id": chat, "is_bot": False, "first_name": "Аня", "language_code": "ru"}
    message = {
        "message_id": update_id,
        "from": sender,
        "chat": {"id": chat, "type": "private", "first_name": "Аня"},
        "date": 1_700_000_000,
        "text": text,
    }
    return types.Update.de_json({"update_id": update_id, "message": message})


def test_an_update_delivered_again_after_it_was_handled_is_skipped(fake: FakeBotAPI) -> None:
    seen: list[IncomingMessage] = []
    done = threading.Event()
    log = InMemoryUpdateLog()
    settled: list[int] = []

    def handle(event: IncomingMessage) -> None:
        seen.append(event)
        done.set()

    dispatcher = UpdateDispatcher(
        make_bot(fake.token, fake.base_url),
        on_message=handle,
        updates=log,
        clock=ManualClock(),
        workers=2,
        settled=settled.append,
    )
    dispatcher.start()
    try:
        assert dispatcher.submit(message_update(7, 42, "привет"))
        assert done.wait(5)
        assert fake.wait_for(lambda f: settled == [7])
        assert log.handled(7)
        assert not dispatcher.submit(message_update(7, 42, "привет"))  # Telegram retried it
        assert settled == [7, 7]  # settled again (so a poller confirms it), not handled again
    finally:
        assert dispatcher.stop(deadline=0.0) == 0
    assert [m.text for m in seen] == ["привет"]
