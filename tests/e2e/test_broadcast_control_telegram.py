"""Broadcasts end to end, controlling a running one: /broadcast_cancel and its halt button, a
second /broadcast refused, users answered while 2 000 copies go out, and bad input."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paintcore.domain.broadcasts import BroadcastId
from support.broadcast_chat import (
    PANEL,
    RU,
    STOPPED,
    TALLY,
    Draft,
    compose,
    delivered,
    posted_id,
    press,
    reply_to,
    seed,
    send_to_all,
    started,
    stop_bot,
    wait_text,
)
from support.fake_telegram import FakeBotAPI
from support.telegram_world import ADMIN, RunningBot, start_bot

HALT_ASKED = "Остановить рассылку?"
RUNNING_ALREADY = "Уже идёт рассылка"


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def bot(fake: FakeBotAPI, tmp_path: Path) -> Iterator[RunningBot]:
    running = start_bot(fake, tmp_path)
    yield running
    stop_bot(running)


def running_broadcast(bot: RunningBot, users: int, *, copies: int = 10) -> Draft:
    """`users` seeded users and the admin; a broadcast to them started by buttons, which has
    made `copies` copies by now."""
    seed(bot.container.users(), range(10_000, 10_000 + users))
    draft = compose(bot.fake, "Скидки!")
    send_to_all(bot.fake, draft)
    assert bot.fake.wait_for(lambda f: len(delivered(f, draft)) >= copies, timeout=20)
    return draft


def halt_by_buttons(fake: FakeBotAPI, draft: Draft, recipients: int) -> tuple[int, int]:
    """/broadcast_cancel, then «Да, остановить»: the pressed message becomes the stopped
    tally. The (sent, not sent) it tells."""
    ask = reply_to(fake, ADMIN, HALT_ASKED, lambda: fake.push_text(ADMIN, "/broadcast_cancel"))
    assert f"из {recipients}" in ask
    halt = posted_id(fake, ADMIN, HALT_ASKED)
    buttons = str((fake.message(ADMIN, halt) or {})["reply_markup"])
    assert f"bc:halt:{draft.broadcast_id}" in buttons and "bc:keep" in buttons
    notice = press(fake, ADMIN, f"bc:halt:{draft.broadcast_id}", halt)
    assert notice == RU["broadcast_state_cancelled"]
    told = fake.message(ADMIN, halt)
    assert told is not None and "reply_markup" not in told
    found = re.fullmatch(
        rf"{STOPPED}: отправлено (\d+) из {recipients}, не отправлено (\d+)\.", told["text"]
    )
    assert found, told["text"]
    return int(found[1]), int(found[2])


def settled(bot: RunningBot, draft: Draft) -> None:
    """Wait until no step of the broadcast runs (the one in flight let its lease go)."""

    def let_go(_: FakeBotAPI) -> bool:
        stored = bot.container.store().broadcasts.get(BroadcastId(draft.broadcast_id))
        return stored is not None and stored.lease_owner is None

    assert bot.fake.wait_for(let_go, timeout=15)
    time.sleep(0.5)  # and nothing goes out after that


def test_cancel_then_halt_stops_the_rest_and_says_so(bot: RunningBot) -> None:
    fake = bot.fake
    draft = running_broadcast(bot, 150)
    told_sent, told_unsent = halt_by_buttons(fake, draft, 151)
    settled(bot, draft)
    counts = bot.container.store().broadcasts.counts(BroadcastId(draft.broadcast_id))
    sent = len(delivered(fake, draft))
    assert (counts.sent, counts.pending) == (sent, 151 - sent) and sent < 151
    assert not any(TALLY in t for t in fake.texts_to(ADMIN))
    # The rest get nothing: what the admin was told is what happened. (At most the one copy in
    # flight when the halt landed may follow, as with a crash between a send and its record.)
    assert sent - told_sent <= 1, f"told {told_sent} sent, {told_unsent} not; {sent} went out"


def test_the_status_message_stays_stopped_after_a_halt(fake: FakeBotAPI, tmp_path: Path) -> None:
    # At 7/s the status is edited at the 1st and the 36th copy, and the state is looked at
    # every 25 copies: a halt after the 25th lands before the step's next look and its report.
    running = start_bot(fake, tmp_path, PAINTBOT_BROADCAST_RATE=7)
    try:
        draft = running_broadcast(running, 59, copies=27)
        halt_by_buttons(fake, draft, 60)
        settled(running, draft)
        status = [e for e in fake.edits_to(ADMIN) if e["message_id"] == draft.panel_id]
        assert str(status[-1]["text"]).startswith("Рассылка остановлена"), status[-1]["text"]
        assert status[-1]["reply_markup"] is None, "no «Остановить» under a stopped broadcast"
    finally:
        stop_bot(running)


def test_keep_leaves_the_broadcast_running(bot: RunningBot) -> None:
    fake = bot.fake
    running_broadcast(bot, 60)
    reply_to(fake, ADMIN, HALT_ASKED, lambda: fake.push_text(ADMIN, "/broadcast_cancel"))
    assert press(fake, ADMIN, "bc:keep", posted_id(fake, ADMIN, HALT_ASKED)) == RU["broadcast_kept"]
    assert "доставлено 61 из 61" in wait_text(fake, ADMIN, TALLY)


def test_a_second_broadcast_while_one_runs_is_refused(bot: RunningBot) -> None:
    fake = bot.fake
    running_broadcast(bot, 150)
    refusal = reply_to(fake, ADMIN, RUNNING_ALREADY, lambda: fake.push_text(ADMIN, "/broadcast"))
    assert "Рассылка идёт: отправлено" in refusal and "из 151" in refusal
    reply_to(fake, ADMIN, RUNNING_ALREADY, lambda: fake.push_text(ADMIN, "/broadcast Другое"))
    assert "Другое" not in fake.texts_to(ADMIN), "nothing posted for a second preview"
    assert sum(PANEL in t for t in fake.texts_to(ADMIN)) == 1


def test_start_is_answered_within_2_s_while_2000_users_get_a_broadcast(bot: RunningBot) -> None:
    fake = bot.fake
    running_broadcast(bot, 2000, copies=30)  # 2 001 copies at 30/s: 67 s of sending
    pushed = time.monotonic()
    fake.push_text(777, "/start")
    wait_text(fake, 777, "Привет")
    [welcome] = [c for c in fake.calls_of("sendMessage") if c.chat_id == 777]
    assert welcome.at - pushed < 2.0
    assert len(fake.copies()) < 200, "the broadcast was still going"


def raw_message(user: int, content: dict[str, object]) -> dict[str, object]:
    """A raw message update from `user` in their private chat."""
    sender = {"id": user, "is_bot": False, "first_name": "Аня", "language_code": "ru"}
    chat = {"id": user, "type": "private", "first_name": "Аня"}
    body = {"message_id": 9_000_000, "from": sender, "chat": chat, "date": int(time.time())}
    return {"message": body | content}


INVOICE = {
    "invoice": {
        "title": "Слон",
        "description": "Купите слона",
        "start_parameter": "elephant",
        "currency": "XTR",
        "total_amount": 100,
    }
}
SERVICE = {"write_access_allowed": {"from_request": True}}


@pytest.mark.parametrize("content", [INVOICE, SERVICE], ids=["invoice", "service-message"])
def test_an_uncopyable_message_is_refused_and_nothing_is_sent(
    bot: RunningBot, content: dict[str, object]
) -> None:
    fake = bot.fake
    started(fake, 501)
    reply_to(fake, ADMIN, RU["broadcast_ask"], lambda: fake.push_text(ADMIN, "/broadcast"))
    fake.push_update(raw_message(ADMIN, content))
    wait_text(fake, ADMIN, "Такое сообщение Telegram не пересылает")
    assert not fake.copies() and not any(PANEL in t for t in fake.texts_to(ADMIN))
    assert bot.container.store().broadcasts.latest() is None
    # Still waiting for the message: a copyable one is previewed.
    reply_to(fake, ADMIN, PANEL, lambda: fake.push_text(ADMIN, "Скидки!"))


def test_cancelling_a_finished_broadcast_says_none_is_running(bot: RunningBot) -> None:
    fake = bot.fake
    started(fake, 501, 502)
    draft = compose(fake, "Скидки!")
    send_to_all(fake, draft)
    wait_text(fake, ADMIN, TALLY)
    not_running = RU["broadcast_not_running"]
    assert "Сейчас рассылка не идёт" in not_running
    reply_to(fake, ADMIN, not_running, lambda: fake.push_text(ADMIN, "/broadcast_cancel"))
    assert press(fake, ADMIN, f"bc:halt:{draft.broadcast_id}") == not_running
    status = reply_to(fake, ADMIN, "Рассылка", lambda: fake.push_text(ADMIN, "/broadcast_status"))
    assert status.startswith("Рассылка завершена: отправлено 3 из 3")
    assert len(delivered(fake, draft)) == 3


def test_a_stale_stop_button_of_a_finished_broadcast_says_none_is_running(
    bot: RunningBot,
) -> None:
    fake = bot.fake
    started(fake, 501)
    draft = compose(fake, "Скидки!")
    send_to_all(fake, draft)
    wait_text(fake, ADMIN, TALLY)
    # The button an admin's client may still show on an older copy of the status message.
    notice = press(fake, ADMIN, f"bc:stop:{draft.broadcast_id}", draft.panel_id)
    assert notice == RU["broadcast_not_running"]
    assert not any(HALT_ASKED in t for t in fake.texts_to(ADMIN))
