"""Broadcasts through the chat, on the fake Bot API: the admin's steps (/broadcast, the message,
the panel's buttons), what the users got, and users seeded straight into a store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from contract.users_contract import a_user
from paintcore.dialog.texts import CATALOGS
from paintcore.ports import Users
from support.fake_telegram import FakeBotAPI
from support.telegram_world import ADMIN, RunningBot

RU = CATALOGS["ru"]
PANEL = "Получателей:"  # in the preview panel (broadcast_preview)
TALLY = "✅ Рассылка завершена"  # the final tally (broadcast_final)
STOPPED = "⏹ Рассылка остановлена"  # the tally of a stopped one (broadcast_cancelled)


@dataclass(frozen=True)
class Draft:
    """A composed broadcast: the admin's message (what is copied) and the panel under it."""

    message_id: int
    panel_id: int

    @property
    def broadcast_id(self) -> str:
        """The id Broadcasting gives the broadcast this panel starts."""
        return f"{ADMIN}-{self.message_id}-{self.panel_id}"


def said(fake: FakeBotAPI, chat: int, fragment: str) -> int:
    """How many texts sent to (or edited in) `chat` hold `fragment`."""
    return sum(fragment in t for t in fake.texts_to(chat))


def wait_text(
    fake: FakeBotAPI, chat: int, fragment: str, *, count: int = 1, timeout: float = 10.0
) -> str:
    """The latest text to `chat` holding `fragment`, once there are `count` of them."""
    found = fake.wait_for(lambda f: said(f, chat, fragment) >= count, timeout)
    assert found, f"no {fragment!r} (x{count}) to {chat}; got {fake.texts_to(chat)}"
    return [t for t in fake.texts_to(chat) if fragment in t][-1]


def reply_to(
    fake: FakeBotAPI, chat: int, fragment: str, action: Callable[[], object], timeout: float = 10.0
) -> str:
    """Do `action`, then wait for one more text to `chat` holding `fragment`."""
    before = said(fake, chat, fragment)
    action()
    return wait_text(fake, chat, fragment, count=before + 1, timeout=timeout)


def started(fake: FakeBotAPI, *users: int, language_code: str = "ru") -> None:
    """Each user sends /start and is welcomed (registered through the chat)."""
    for user in users:
        fake.push_text(user, "/start", language_code=language_code)
    for user in users:
        wait_text(fake, user, "Hi" if language_code == "en" else "Привет")


def seed(users: Users, ids: Iterable[int], **changes: object) -> None:
    """Users added straight to the store (registered, as if each had sent /start long ago)."""
    for user_id in ids:
        users.add(a_user(user_id, **changes))


def compose(fake: FakeBotAPI, send: Callable[[FakeBotAPI], int] | str) -> Draft:
    """/broadcast, then the message (a text, or what `send` pushes as the admin): the preview
    and its panel are shown. The draft it names."""
    reply_to(fake, ADMIN, RU["broadcast_ask"], lambda: fake.push_text(ADMIN, "/broadcast"))
    pushed: list[int] = []

    def push() -> None:
        update = fake.push_text(ADMIN, send) if isinstance(send, str) else send(fake)
        pushed.append(update)

    reply_to(fake, ADMIN, PANEL, push)
    message_id = fake.message_id_of(pushed[0])
    assert message_id is not None
    return Draft(message_id, panel_id(fake))


def panel_id(fake: FakeBotAPI) -> int:
    """The message id of the latest panel posted to the admin."""
    return posted_id(fake, ADMIN, PANEL)


def posted_id(fake: FakeBotAPI, chat: int, fragment: str) -> int:
    """The message id of the latest sendMessage to `chat` holding `fragment`."""
    posts = [
        c
        for c in fake.calls_of("sendMessage")
        if c.chat_id == chat and fragment in str(c.params.get("text"))
    ]
    assert posts, f"no message with {fragment!r} posted to {chat}"
    result = posts[-1].result
    assert isinstance(result, dict)
    return int(result["message_id"])


def press(fake: FakeBotAPI, user: int, data: str, message_id: int | None = None) -> str:
    """A button press, once it is answered: the notice the answer carried ("" for none)."""
    return answer_of(fake, fake.push_callback(user, data, message_id=message_id))


def answer_of(fake: FakeBotAPI, update_id: int) -> str:
    """The notice answering the button press `update_id` carried, once it is answered."""
    query = fake.callback_query_id(update_id)

    def answers(f: FakeBotAPI) -> list[object]:
        return [
            c.params.get("text")
            for c in f.calls_of("answerCallbackQuery")
            if str(c.params.get("callback_query_id")) == query
        ]

    assert fake.wait_for(lambda f: bool(answers(f))), f"press {update_id} not answered"
    return str(answers(fake)[0] or "")


def send_to_all(fake: FakeBotAPI, draft: Draft) -> str:
    """«Отправить всем» under the draft's panel; the notice."""
    return press(fake, ADMIN, "bc:send", draft.panel_id)


def delivered(fake: FakeBotAPI, draft: Draft) -> list[dict[str, object]]:
    """The copies the broadcast made: those after the panel (ids grow across the fake's chats),
    so the preview copied to the admin before it is not one of them."""
    return [c for c in fake.copies() if int(c["new_message_id"]) > draft.panel_id]


def copies_per_chat(fake: FakeBotAPI, draft: Draft) -> Counter[int]:
    return Counter(int(str(c["chat_id"])) for c in delivered(fake, draft))


def stop_bot(bot: RunningBot) -> None:
    """Stop a broadcast still running (its step ends within a few sends), then the bot."""
    running = bot.container.store().broadcasts.current()
    if running is not None:
        bot.container.cancel_broadcast()(broadcast_id=running.id)
    bot.stop()
