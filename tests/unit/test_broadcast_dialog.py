"""The broadcast dialog on the in-memory World: /broadcast -> message -> preview and audience ->
«Отправить всем» -> steps on the queue; status, cancel, bad input; nothing of it for non-admins."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.memory import InMemoryStore
from paintcore.dialog import IncomingMessage, MessageKind
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.broadcasts import BroadcastState
from paintcore.domain.errors import DeliveryFailed
from paintcore.domain.messages import InlineKeyboard
from paintcore.domain.users import Profile, UserId
from support.shop import press, profile
from support.world import ADMIN, World

RU, EN = CATALOGS["ru"], CATALOGS["en"]


def _users(world: World, *ids: int, language: str = "ru") -> None:
    for uid in ids:
        world.say(uid, "/start", language=language)


def _store(world: World) -> InMemoryStore:
    store = world.container.store()
    assert isinstance(store, InMemoryStore)
    return store


def _send(
    world: World,
    kind: MessageKind = MessageKind.TEXT,
    text: str | None = "Новые раскраски!",
    **extra: object,
) -> int:
    """The admin sends a message; its id."""
    world.update_id += 1
    event = IncomingMessage(
        world.update_id, ADMIN, profile(ADMIN), kind, text, message_id=world.update_id
    )
    world.dialog.handle(replace(event, **extra))  # type: ignore[arg-type]
    return world.update_id


def _panel(world: World) -> tuple[int, str, InlineKeyboard]:
    """The last preview panel posted to the admin: its id, text and buttons."""
    posted = [
        m
        for m in world.messenger.to(ADMIN)
        if m.kind == "text" and isinstance(m.keyboard, InlineKeyboard) and m.message_id
    ]
    last = posted[-1]
    assert last.message_id is not None and isinstance(last.keyboard, InlineKeyboard)
    return last.message_id, last.text, last.keyboard


def _data(keyboard: InlineKeyboard) -> list[str]:
    return [b.data for row in keyboard.rows for b in row]


def _copies_of(world: World, source: int) -> dict[int, int]:
    """How many copies of the admin's message `source` each chat got (the preview aside)."""
    counted: dict[int, int] = {}
    for m in world.messenger.copies():
        if m.copied == (ADMIN, source):
            counted[m.chat_id] = counted.get(m.chat_id, 0) + 1
    counted[ADMIN] -= 1  # the preview
    return {chat: n for chat, n in counted.items() if n}


def _compose(world: World, **extra: object) -> tuple[int, int]:
    """/broadcast, then the message: (the message's id, the panel's id)."""
    world.say(ADMIN, "/broadcast")
    source = _send(world, **extra)  # type: ignore[arg-type]
    return source, _panel(world)[0]


def test_an_admins_message_is_previewed_then_copied_once_to_everyone(world: World) -> None:
    _users(world, 1, 2, 3, ADMIN)
    world.say(ADMIN, "/broadcast")
    assert world.last_text(ADMIN) == RU["broadcast_ask"]

    source = _send(world)
    preview = world.messenger.copies(ADMIN)
    assert [m.copied for m in preview] == [(ADMIN, source)]  # the message itself, copied back
    panel, text, keyboard = _panel(world)
    assert "Получателей: 4" in text and "все" in text
    assert {"bc:send", "bc:drop", "bc:aud:ru", "bc:aud:en", "bc:aud:active"} <= set(_data(keyboard))
    assert world.messenger.copies(1) == []  # nothing sent before the confirmation

    assert press(world, ADMIN, "bc:send", message_id=panel) == RU["broadcast_started_notice"]
    world.queue.run_pending()

    assert _copies_of(world, source) == {1: 1, 2: 1, 3: 1, ADMIN: 1}
    assert "доставлено 4 из 4" in world.last_text(ADMIN)  # the final tally, a new message
    status = world.messenger.edits(ADMIN)[-1]
    assert status.edited == panel and status.text.startswith("Рассылка завершена")


def test_the_legacy_form_with_text_after_the_command_previews_that_text(world: World) -> None:
    _users(world, 1, ADMIN)
    world.say(ADMIN, "/broadcast Скидки!")

    posted = [m for m in world.messenger.to(ADMIN) if m.text == "Скидки!"]
    assert len(posted) == 1 and posted[0].message_id is not None
    panel = _panel(world)[0]
    press(world, ADMIN, "bc:send", message_id=panel)
    world.queue.run_pending()

    assert [m.copied for m in world.messenger.copies(1)] == [(ADMIN, posted[0].message_id)]


def test_the_audience_buttons_narrow_the_recipients(world: World) -> None:
    _users(world, 1, 2, language="en")
    _users(world, 3, ADMIN)
    source, panel = _compose(world)

    notice = press(world, ADMIN, "bc:aud:en", message_id=panel)

    assert notice == RU["broadcast_audience_chosen"].format(audience=RU["broadcast_audience_en"])
    edit = world.messenger.edits(ADMIN)[-1]
    assert edit.edited == panel and "Получателей: 2" in edit.text
    assert isinstance(edit.keyboard, InlineKeyboard)
    assert "✓ EN" in [b.label for row in edit.keyboard.rows for b in row]
    press(world, ADMIN, "bc:send", message_id=panel)
    world.queue.run_pending()
    counted = {m.chat_id for m in world.messenger.copies() if m.copied == (ADMIN, source)}
    assert counted == {1, 2, ADMIN}  # ADMIN: the preview only


def test_active_means_asked_for_a_page_in_the_last_30_days(world: World) -> None:
    _users(world, 1, 2, ADMIN)
    world.say(1, "Получить раскраску")
    world.say(1, "кот")
    world.queue.run_pending()
    source, panel = _compose(world)

    press(world, ADMIN, "bc:aud:active", message_id=panel)
    assert "Получателей: 1" in world.messenger.edits(ADMIN)[-1].text
    press(world, ADMIN, "bc:send", message_id=panel)
    world.queue.run_pending()

    assert {m.chat_id for m in world.messenger.copies() if m.copied == (ADMIN, source)} == {
        1,
        ADMIN,
    }


def test_a_confirmation_pressed_twice_sends_once(world: World) -> None:
    _users(world, 1, 2, ADMIN)
    source, panel = _compose(world)

    press(world, ADMIN, "bc:send", message_id=panel)
    world.queue.run_pending()
    again = press(world, ADMIN, "bc:send", message_id=panel)
    world.queue.run_pending()

    assert again == RU["broadcast_confirmed_already"]
    assert _copies_of(world, source) == {1: 1, 2: 1, ADMIN: 1}


def test_an_older_previews_buttons_are_stale(world: World) -> None:
    _users(world, 1, ADMIN)
    _, old_panel = _compose(world)
    _send(world, text="Другое сообщение")  # replaces the preview

    assert press(world, ADMIN, "bc:send", message_id=old_panel) == RU["broadcast_no_draft"]
    assert _store(world).broadcasts.current() is None


def test_cancel_in_the_preview_drops_the_draft(world: World) -> None:
    _users(world, 1, ADMIN)
    _, panel = _compose(world)

    assert press(world, ADMIN, "bc:drop", message_id=panel) == RU["broadcast_dropped"]
    assert press(world, ADMIN, "bc:send", message_id=panel) == RU["broadcast_no_draft"]
    world.queue.run_pending()
    assert world.messenger.copies(1) == []


def test_a_second_broadcast_while_one_runs_is_refused_with_its_status(world: World) -> None:
    _users(world, 1, 2, ADMIN)
    _, panel = _compose(world)
    press(world, ADMIN, "bc:send", message_id=panel)  # queued, not yet run

    world.say(ADMIN, "/broadcast")

    assert world.last_text(ADMIN).startswith("Уже идёт рассылка")
    assert "осталось 3" in world.last_text(ADMIN)


def test_status_and_cancel_with_a_confirmation(world: World) -> None:
    _users(world, 1, 2, ADMIN)
    _, panel = _compose(world)
    press(world, ADMIN, "bc:send", message_id=panel)
    world.say(ADMIN, "/broadcast_status")
    assert world.last_text(ADMIN).startswith("Рассылка идёт: отправлено 0 из 3")

    world.say(ADMIN, "/broadcast_cancel")
    ask = world.messenger.to(ADMIN)[-1]
    assert ask.text.startswith("Остановить рассылку?")
    assert isinstance(ask.keyboard, InlineKeyboard)
    halt = next(d for d in _data(ask.keyboard) if d.startswith("bc:halt:"))
    press(world, ADMIN, halt)
    world.queue.run_pending()

    assert world.messenger.copies(1) == [] and world.messenger.copies(2) == []
    current = _store(world).broadcasts.latest()
    assert current is not None and current.state is BroadcastState.CANCELLED
    assert "Рассылка остановлена" in world.last_text(ADMIN)
    world.say(ADMIN, "/broadcast_cancel")  # a finished one: nothing to stop
    assert world.last_text(ADMIN) == RU["broadcast_not_running"]
    assert press(world, ADMIN, halt) == RU["broadcast_not_running"]


def test_status_before_any_broadcast(world: World) -> None:
    world.say(ADMIN, "/broadcast_status")
    assert world.last_text(ADMIN) == RU["broadcast_none"]


def test_blocked_users_are_marked_and_counted(world: World) -> None:
    _users(world, 1, 2, ADMIN)
    world.messenger.blocked.add(2)
    _, panel = _compose(world)
    press(world, ADMIN, "bc:send", message_id=panel)
    world.queue.run_pending()

    assert world.users.get(UserId(2)).blocked  # type: ignore[union-attr]
    assert "заблокировали бота 1" in world.last_text(ADMIN)


@pytest.mark.parametrize(
    ("kind", "text", "extra", "reply"),
    [
        (MessageKind.TEXT, "   ", {}, "broadcast_empty"),
        (MessageKind.OTHER, None, {"copyable": False}, "broadcast_uncopyable"),
        (MessageKind.UNREADABLE, None, {}, "unreadable_input"),
    ],
)
def test_what_cannot_be_broadcast_gets_a_clear_answer(
    world: World, kind: MessageKind, text: str | None, extra: dict[str, object], reply: str
) -> None:
    _users(world, 1, ADMIN)
    world.say(ADMIN, "/broadcast")
    _send(world, kind, text, **extra)

    assert world.last_text(ADMIN) == RU[reply]
    assert world.messenger.copies() == []


@pytest.mark.parametrize("kind", [MessageKind.PHOTO, MessageKind.STICKER, MessageKind.DOCUMENT])
def test_media_is_broadcast_not_taken_for_a_file_id_or_a_page(
    world: World, kind: MessageKind
) -> None:
    _users(world, 1, ADMIN)
    world.say(ADMIN, "/broadcast")
    source = _send(world, kind, "подпись" if kind is MessageKind.PHOTO else None, file_id="F1")

    assert [m.copied for m in world.messenger.copies(ADMIN)] == [(ADMIN, source)]
    assert world.jobs.since(world.clock.now() - timedelta(days=1)) == []  # not a page request
    assert not any(t.startswith("file_id") for t in world.messenger.texts(ADMIN))


def test_a_message_telegram_will_not_copy_gets_a_clear_answer(world: World) -> None:
    _users(world, 1, ADMIN)
    world.say(ADMIN, "/broadcast")
    world.messenger.failures_for[ADMIN] = [DeliveryFailed("400 message can't be copied")]
    _send(world)

    assert world.last_text(ADMIN) == RU["broadcast_copy_failed"]


def test_english_speaking_admins_get_english(world: World) -> None:
    _users(world, 1)
    world.say(ADMIN, "/start", language="en")
    world.say(ADMIN, "/broadcast", language="en")
    assert world.last_text(ADMIN) == EN["broadcast_ask"]


@pytest.mark.parametrize(
    "command", ["/broadcast", "/broadcast спам", "/broadcast_status", "/broadcast_cancel"]
)
def test_a_non_admin_gets_the_unknown_command_reply(world: World, command: str) -> None:
    _users(world, 1, 2)
    world.say(1, command)
    assert world.last_text(1) == RU["unknown_command"]
    assert world.messenger.copies() == []


def test_forged_broadcast_buttons_from_a_non_admin_change_nothing(world: World) -> None:
    _users(world, 1, 2, ADMIN)
    _, panel = _compose(world)
    press(world, ADMIN, "bc:send", message_id=panel)
    running = _store(world).broadcasts.current()
    assert running is not None

    for data in (
        "bc:send",
        "bc:drop",
        "bc:aud:ru",
        f"bc:stop:{running.id}",
        f"bc:halt:{running.id}",
        "bc:keep",
    ):
        assert press(world, 1, data, message_id=panel) == RU["unknown_button"]
    still = _store(world).broadcasts.current()
    assert still is not None and still.id == running.id
    world.say(1, "/set bc:halt:" + running.id)  # the typed form of a press
    assert _store(world).broadcasts.current() is not None


def test_an_admin_without_a_user_row_can_broadcast(world: World) -> None:
    _users(world, 1)
    world.dialog.handle(
        IncomingMessage(
            1000, ADMIN, Profile(UserId(ADMIN)), MessageKind.TEXT, "/broadcast", message_id=1000
        )
    )
    assert world.last_text(ADMIN) == RU["broadcast_ask"]
