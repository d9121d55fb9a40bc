"""The console and memory messengers' copies, posted texts and edits (Telegram's are in
tests/contract/test_telegram_copies.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.console import ConsoleChat, ConsoleMessenger
from adapters.console.messages import MessageIds
from adapters.memory import InMemoryMessenger
from paintcore.dialog import IncomingMessage
from paintcore.domain.errors import DeliveryFailed, RateLimited, RecipientBlocked
from paintcore.domain.messages import InlineButton, InlineKeyboard
from paintcore.domain.pages import ColoringPage
from paintcore.domain.users import Profile, UserId

PAGE = ColoringPage("кот", b"png", b"%PDF", 2480, 3508, "test")
BUTTONS = InlineKeyboard(((InlineButton("Стоп", "bc:stop"), InlineButton("Ещё", "bc:more")),))

# ---- console --------------------------------------------------------------------------------


def test_typed_lines_and_posts_share_one_counter_and_copies_show_the_line(tmp_path: Path) -> None:
    ids = MessageIds()
    out = io.StringIO()
    messenger = ConsoleMessenger(out, tmp_path, ids=ids)
    got: list[IncomingMessage] = []
    ConsoleChat(got.append, Profile(UserId(1)), io.BytesIO(b"/start\nhello all\n"), ids=ids).run()
    assert [m.message_id for m in got] == [1, 2]

    status = messenger.post_text(1, "Рассылка: 0 из 2", keyboard=BUTTONS)
    first = messenger.copy_message(5, 1, 2)
    second = messenger.copy_message(1, 1, 2, paid=True)
    messenger.edit_text(1, status, "Рассылка: 2 из 2\nготово")

    assert (status, first, second) == (3, 4, 5)
    assert out.getvalue() == (
        "bot> Рассылка: 0 из 2\n"
        "     [Стоп: /set bc:stop]  [Ещё: /set bc:more]\n"
        "bot> (to chat 5: copy of message 2 from chat 1) hello all\n"
        "bot> (copy of message 2 from chat 1, paid) hello all\n"
        "bot> (edited) Рассылка: 2 из 2\n"
        "     готово\n"
    )


def test_a_copy_of_a_message_the_console_never_saw_says_so(tmp_path: Path) -> None:
    out = io.StringIO()
    ConsoleMessenger(out, tmp_path, ids=MessageIds()).copy_message(5, 1, 99)
    assert out.getvalue() == "bot> (to chat 5: copy of message 99 from chat 1)\n"


def test_the_console_keeps_the_texts_of_recent_messages_only() -> None:
    ids = MessageIds(remembered=2)
    first = ids.next(1, "a")
    ids.next(1, "b")
    ids.next(1, "c")
    assert ids.text(1, first) is None and ids.text(1, first + 2) == "c"


# ---- memory ---------------------------------------------------------------------------------


def test_memory_ids_are_unique_across_kinds_and_chats() -> None:
    m = InMemoryMessenger()
    m.send_text(1, "hi")
    ids = [
        m.post_text(1, "status"),
        m.copy_message(2, 1, 10),
        m.copy_message(3, 1, 10, paid=True),
        m.post_text(2, "other"),
    ]
    m.sent.clear()  # what a test may do between steps: later ids stay new
    ids.append(m.copy_message(2, 1, 10))
    assert len(set(ids)) == len(ids) and 0 not in ids


def test_memory_edits_are_recorded_and_the_message_reads_as_edited() -> None:
    m = InMemoryMessenger()
    status = m.post_text(7, "Рассылка: 0 из 10", keyboard=BUTTONS)
    m.edit_text(7, status, "Рассылка: 5 из 10", keyboard=BUTTONS)
    m.edit_text(7, status, "Готово")

    assert [(e.edited, e.text, e.keyboard) for e in m.edits(7)] == [
        (status, "Рассылка: 5 из 10", BUTTONS),
        (status, "Готово", None),
    ]
    shown = m.message(status)
    assert shown is not None and (shown.kind, shown.text, shown.keyboard) == (
        "text",
        "Готово",
        None,
    )
    assert m.texts(7) == ["Рассылка: 0 из 10"] and m.message(12345) is None


def test_memory_edits_of_unknown_messages_fail() -> None:
    m = InMemoryMessenger()
    status = m.post_text(7, "status")
    with pytest.raises(DeliveryFailed):
        m.edit_text(7, 999, "x")
    with pytest.raises(DeliveryFailed):
        m.edit_text(8, status, "x")  # another chat's message
    m.send_page(7, PAGE, caption="x")
    with pytest.raises(DeliveryFailed):
        m.edit_text(7, m.sent[-1].message_id or 0, "x")  # a picture has no text to edit
    assert m.edits() == []
    m.send_text(7, "sent, not posted")
    m.edit_text(7, m.sent[-1].message_id or 0, "texts and copies can be edited as in Telegram")
    m.edit_text(7, m.copy_message(7, 1, 2), "x")
    assert len(m.edits(7)) == 2


def test_memory_failures_apply_to_copies_posts_and_edits() -> None:
    m = InMemoryMessenger()
    status = m.post_text(7, "status")
    m.failures.append(RateLimited(3))
    m.failures_for[5] = [DeliveryFailed("x")]
    with pytest.raises(RateLimited):
        m.edit_text(7, status, "edited")
    with pytest.raises(DeliveryFailed):
        m.copy_message(5, 1, 2)
    m.copy_message(5, 1, 2)
    m.blocked.add(7)
    with pytest.raises(RecipientBlocked):
        m.edit_text(7, status, "edited")
    with pytest.raises(RecipientBlocked):
        m.post_text(7, "again")
    assert [s.kind for s in m.sent] == ["text", "copy"]
