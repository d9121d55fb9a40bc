"""Broadcasts end to end: the admin's button presses through the real telebot over real HTTP
against the fake Bot API; copies to every user, 429s, blocked users, audiences, the status
message, paid broadcasts, a double confirmation and a non-admin's forged buttons."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paintcore.domain.broadcasts import BroadcastId, BroadcastState
from paintcore.domain.users import UserId
from support.broadcast_chat import (
    PANEL,
    RU,
    TALLY,
    answer_of,
    compose,
    copies_per_chat,
    delivered,
    press,
    seed,
    send_to_all,
    started,
    stop_bot,
    wait_text,
)
from support.fake_telegram import FakeBotAPI
from support.telegram_world import ADMIN, RunningBot, start_bot

USERS = (501, 502, 503)
EVERYONE = {ADMIN: 1, **dict.fromkeys(USERS, 1)}  # the admin registered with /broadcast


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def bot(fake: FakeBotAPI, tmp_path: Path) -> Iterator[RunningBot]:
    running = start_bot(fake, tmp_path)
    yield running
    stop_bot(running)


def test_the_whole_flow_by_buttons_copies_a_captioned_photo_to_everyone(bot: RunningBot) -> None:
    fake = bot.fake
    started(fake, *USERS)
    draft = compose(fake, lambda f: f.push_photo(ADMIN, caption="Новые раскраски!"))
    [preview] = fake.copies_to(ADMIN)
    assert (preview["from_chat_id"], preview["message_id"]) == (ADMIN, draft.message_id)
    assert f"{PANEL} 4" in wait_text(fake, ADMIN, PANEL)

    assert send_to_all(fake, draft) == RU["broadcast_started_notice"]
    assert "доставлено 4 из 4, заблокировали бота 0, ошибок 0" in wait_text(fake, ADMIN, TALLY)
    assert copies_per_chat(fake, draft) == EVERYONE
    for copy in delivered(fake, draft):
        assert (copy["from_chat_id"], copy["message_id"]) == (ADMIN, draft.message_id)
        got = fake.message(int(str(copy["chat_id"])), int(str(copy["new_message_id"])))
        assert got is not None and got["caption"] == "Новые раскраски!" and got["photo"]
        assert copy["allow_paid_broadcast"] is False
    assert not fake.calls_of("sendPhoto"), "copied, never uploaded anew"
    assert bot.container.store().broadcasts.current() is None


def test_a_replaced_preview_is_stale_and_a_dropped_one_sends_nothing(bot: RunningBot) -> None:
    fake = bot.fake
    started(fake, *USERS)
    first = compose(fake, "Черновик")
    second = compose(fake, lambda f: f.push_sticker(ADMIN))  # a sticker goes as it is
    assert send_to_all(fake, first) == RU["broadcast_no_draft"]
    assert press(fake, ADMIN, "bc:drop", second.panel_id) == RU["broadcast_dropped"]
    assert send_to_all(fake, second) == RU["broadcast_no_draft"]
    assert [c["chat_id"] for c in fake.copies()] == [ADMIN, ADMIN], "the two previews only"
    assert bot.container.store().broadcasts.latest() is None
    third = compose(fake, lambda f: f.push_sticker(ADMIN))
    send_to_all(fake, third)
    assert "доставлено 4 из 4" in wait_text(fake, ADMIN, TALLY)
    assert copies_per_chat(fake, third) == EVERYONE
    copy = delivered(fake, third)[0]
    got = fake.message(int(str(copy["chat_id"])), int(str(copy["new_message_id"])))
    assert got is not None and got["sticker"]["emoji"] == "🎨"


def test_rate_limited_users_get_exactly_one_copy_after_the_wait(bot: RunningBot) -> None:
    fake = bot.fake
    started(fake, *USERS)
    fake.rate_limit(501, 1, method="copyMessage")
    fake.rate_limit(502, 2, method="copyMessage")
    fake.rate_limit(503, 1, method="copyMessage", times=2)
    draft = compose(fake, "Скидки!")
    send_to_all(fake, draft)
    assert "доставлено 4 из 4" in wait_text(fake, ADMIN, TALLY, timeout=20)
    assert copies_per_chat(fake, draft) == EVERYONE
    refused = [a for a in fake.attempts if a.method == "copyMessage" and a.status == 429]
    assert sorted(a.chat_id or 0 for a in refused) == [501, 502, 503, 503]
    late = next(a for a in refused if a.chat_id == 502)
    [copy] = [c for c in fake.calls_of("copyMessage") if c.chat_id == 502]
    assert copy.at - late.at >= 1.95, "retry_after was waited out"


def test_blocked_and_deleted_users_are_marked_blocked_and_counted(bot: RunningBot) -> None:
    fake = bot.fake
    started(fake, *USERS)
    fake.block(502)  # 403
    fake.chat_not_found(503)  # 400 chat not found: a deleted account
    draft = compose(fake, "Скидки!")
    send_to_all(fake, draft)
    tally = wait_text(fake, ADMIN, TALLY)
    assert "доставлено 2 из 4, заблокировали бота 2, ошибок 0" in tally
    assert copies_per_chat(fake, draft) == {ADMIN: 1, 501: 1}
    fake.push_text(ADMIN, "/user 502")
    assert RU["user_status_blocked"] in wait_text(fake, ADMIN, "Статус:")
    users = bot.container.users()
    assert [users.get(UserId(u)).blocked for u in USERS] == [False, True, True]


def test_the_english_audience_reaches_only_english_speakers(bot: RunningBot) -> None:
    fake = bot.fake
    started(fake, 501, 502)
    started(fake, 601, 602, language_code="en")
    draft = compose(fake, "News in English")
    notice = press(fake, ADMIN, "bc:aud:en", draft.panel_id)
    assert notice == "Аудитория: говорящие по-английски"
    panel = fake.message(ADMIN, draft.panel_id)
    assert panel is not None and f"{PANEL} 2" in panel["text"]
    assert "✓ EN" in str(panel["reply_markup"])
    send_to_all(fake, draft)
    assert "доставлено 2 из 2" in wait_text(fake, ADMIN, TALLY)
    assert copies_per_chat(fake, draft) == {601: 1, 602: 1}


def test_the_status_message_is_edited_while_it_runs_and_ends_done(bot: RunningBot) -> None:
    fake = bot.fake
    seed(bot.container.users(), range(10_000, 10_179))  # 180 recipients with the admin: ~6 s
    draft = compose(fake, "Скидки!")
    send_to_all(fake, draft)
    wait_text(fake, ADMIN, TALLY, timeout=30)
    edits = [e for e in fake.edits_to(ADMIN) if e["message_id"] == draft.panel_id]
    texts = [str(e["text"]) for e in edits]
    assert texts[0].startswith("Рассылка идёт: отправлено 0 из 180")
    assert f"bc:stop:{draft.broadcast_id}" in str(edits[0]["reply_markup"])
    assert any("Рассылка идёт" in t and "из 180" in t and "0 из" not in t for t in texts[1:-1])
    assert texts[-1].startswith("Рассылка завершена: отправлено 180 из 180")
    assert edits[-1]["reply_markup"] is None, "the stop button goes with the end"
    timed = [
        c.at
        for c in fake.calls_of("editMessageText")
        if c.chat_id == ADMIN and int(str(c.params["message_id"])) == draft.panel_id
    ]
    # One at the start, one with the first copy, then every ~5 s, and the end (~6 s after).
    assert 4 <= len(timed) <= 5 and timed[2] - timed[1] >= 4.5


def test_a_paid_broadcast_shows_its_cost_and_allows_paid_copies(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    running = start_bot(
        fake, tmp_path, PAINTBOT_BROADCAST_PAID="true", PAINTBOT_BROADCAST_RATE=1000
    )
    try:
        seed(running.container.users(), range(10_000, 10_050))
        draft = compose(fake, "Платная новость")
        assert "до 6 ⭐" in wait_text(fake, ADMIN, PANEL)  # 51 messages at 0.1 ⭐
        send_to_all(fake, draft)
        assert "доставлено 51 из 51" in wait_text(fake, ADMIN, TALLY)
        copies = delivered(fake, draft)
        assert len(copies) == 51 and all(c["allow_paid_broadcast"] is True for c in copies)
        [preview] = [c for c in fake.copies() if c not in copies]
        assert preview["allow_paid_broadcast"] is False, "the preview is no broadcast"
    finally:
        stop_bot(running)


def test_a_confirmation_pressed_twice_sends_one_copy_each(bot: RunningBot) -> None:
    fake = bot.fake
    started(fake, *USERS)
    draft = compose(fake, "Скидки!")
    first = fake.push_callback(ADMIN, "bc:send", message_id=draft.panel_id)
    second = fake.push_callback(ADMIN, "bc:send", message_id=draft.panel_id)
    assert answer_of(fake, first) == RU["broadcast_started_notice"]
    assert answer_of(fake, second) == RU["broadcast_confirmed_already"]
    wait_text(fake, ADMIN, TALLY)
    assert copies_per_chat(fake, draft) == EVERYONE
    assert sum(TALLY in t for t in fake.texts_to(ADMIN)) == 1


def test_a_non_admins_forged_buttons_change_nothing(bot: RunningBot) -> None:
    fake = bot.fake
    started(fake, *USERS)
    seed(bot.container.users(), range(10_000, 10_056))  # 60 recipients: ~2 s
    broadcasts = bot.container.store().broadcasts
    draft = compose(fake, "Скидки!")
    for data in ("bc:send", "bc:aud:en", "bc:drop"):
        assert press(fake, 501, data, draft.panel_id) == RU["unknown_button"]
    assert broadcasts.latest() is None and not delivered(fake, draft)
    send_to_all(fake, draft)
    for data in (f"bc:halt:{draft.broadcast_id}", f"bc:stop:{draft.broadcast_id}"):
        assert press(fake, 502, data) == RU["unknown_button"]
    assert broadcasts.current() is not None, "still running (60 copies take 2 s at 30/s)"
    assert "доставлено 60 из 60" in wait_text(fake, ADMIN, TALLY)
    ended = broadcasts.get(BroadcastId(draft.broadcast_id))
    assert ended is not None and ended.state is BroadcastState.DONE
    assert len(delivered(fake, draft)) == 60
    assert not any("Остановить" in t for t in fake.texts_to(502))
