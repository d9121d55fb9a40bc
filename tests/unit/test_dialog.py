"""The dialog: the reference bot's conversation, in Russian and English, never silent, never crashing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from paintcore.dialog import Account, IncomingMessage, MessageKind
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.credits import Balance
from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.messages import Keyboard
from paintcore.domain.users import Profile, UserId
from support.world import ADMIN, World, build_world

MENU_RU = Keyboard(
    rows=(("Получить раскраску",), ("Купить раскраски",), ("Настройки", "Поддержка"))
)
MENU_EN = Keyboard(rows=(("Get a coloring page",), ("Buy pages",), ("Settings", "Support")))


def _page_flow(
    world: World, user: int, description: str = "кот в шляпе", language: str = "ru"
) -> None:
    world.say(
        user, "Получить раскраску" if language == "ru" else "Get a coloring page", language=language
    )
    world.say(user, description, language=language)
    world.queue.run_pending()


def test_start_welcomes_a_new_user_with_the_menu_and_free_pages(world: World) -> None:
    world.say(1, "/start")
    [welcome] = world.messenger.to(1)
    assert "Привет, Аня" in welcome.text and "10" in welcome.text
    assert welcome.keyboard == MENU_RU
    assert world.ledger.balance(UserId(1)) == Balance(free=10)


def test_a_user_without_a_name_is_greeted_as_a_friend(world: World) -> None:
    world.say(4, "/start", first_name="")  # the world gives every user a username: drop it too
    assert "Привет, u4!" in world.last_text(4)
    world.dialog.handle(
        IncomingMessage(99, 5, Profile(UserId(5), language_code="en"), MessageKind.TEXT, "/start")
    )
    assert world.last_text(5).startswith("Hi, friend!")


def test_second_start_welcomes_back_without_new_credits(world: World) -> None:
    world.say(1, "/start")
    world.say(1, "/start")
    assert "С возвращением" in world.last_text(1)
    assert world.ledger.balance(UserId(1)) == Balance(free=10)


def test_welcome_photos_are_sent_on_start() -> None:
    world = build_world()
    object.__setattr__(world.dialog.group(Account), "welcome_photos", ("AgAD1", "AgAD2"))
    world.say(1, "/start")
    first = world.messenger.to(1)[0]
    assert first.kind == "photos" and first.file_ids == ("AgAD1", "AgAD2")


def test_english_user_gets_english_texts_and_menu(world: World) -> None:
    world.say(2, "/start", language="en-GB", first_name="Tom")
    [welcome] = world.messenger.to(2)
    assert welcome.text.startswith("Hi, Tom!") and welcome.keyboard == MENU_EN


def test_unsupported_language_falls_back_to_the_setting(world: World) -> None:
    world.say(3, "/start", language="de")
    assert world.last_text(3).startswith("Привет")


def test_button_then_description_draws_a_page_for_one_credit(world: World) -> None:
    world.say(1, "/start")
    world.say(1, "Получить раскраску")
    assert "Опишите, что нарисовать" in world.last_text(1)

    world.say(1, "кот в шляпе")
    assert world.last_text(1).startswith("Рисую «кот в шляпе»")
    assert world.queue.depth() == 1

    world.queue.run_pending()
    page = world.messenger.to(1)[-1]
    assert page.kind == "page" and "Осталось раскрасок: 9" in page.text
    assert world.messenger.to(ADMIN)[-1].kind == "page"
    assert world.ledger.balance(UserId(1)) == Balance(free=9)


def test_description_is_expected_only_once(world: World) -> None:
    _page_flow(world, 1)
    world.say(1, "ещё один кот")
    assert "нажмите «Получить раскраску»" in world.last_text(1)
    assert world.queue.depth() == 0


def test_the_expectation_survives_a_restart(world: World) -> None:
    world.say(1, "Получить раскраску")
    restarted = replace(world.dialog)  # a new process with the same storage
    object.__setattr__(world, "dialog", restarted)
    world.say(1, "кот в шляпе")
    assert world.last_text(1).startswith("Рисую")


def test_an_expectation_a_day_old_is_forgotten_and_costs_nothing(world: World) -> None:
    world.say(1, "/start")
    world.say(1, "Получить раскраску")
    world.clock.advance(24 * 3600)

    world.say(1, "кот в шляпе")

    assert "нажмите «Получить раскраску»" in world.last_text(1)
    assert world.queue.depth() == 0 and world.ledger.balance(UserId(1)) == Balance(free=10)
    world.say(1, "Получить раскраску")
    world.say(1, "кот в шляпе")
    assert world.last_text(1).startswith("Рисую")


def test_ten_free_pages_then_a_refusal_with_the_support_contact(world: World) -> None:
    for i in range(10):
        _page_flow(world, 1, f"кот номер {i}")
    pages = [m for m in world.messenger.to(1) if m.kind == "page"]
    assert len(pages) == 10 and "последняя" in pages[-1].text

    world.say(1, "Получить раскраску")
    world.say(1, "кот номер 11")
    assert "закончились" in world.last_text(1) and "@paint_support" in world.last_text(1)
    assert world.queue.depth() == 0
    assert world.ledger.balance(UserId(1)) == Balance()


def test_no_credits_without_support_contact_still_answers() -> None:
    world = build_world(free_credits=0, support="")
    _page_flow(world, 1)
    assert world.last_text(1) == CATALOGS["ru"]["no_credits"]


def test_support_button_shows_the_contact_in_either_language(world: World) -> None:
    world.say(1, "Поддержка")
    assert world.last_text(1) == "Поддержка: @paint_support"
    world.say(2, "support", language="en")
    assert world.last_text(2) == "Support: @paint_support"


def test_second_page_while_one_is_drawing_is_refused_politely(world: World) -> None:
    world.say(1, "Получить раскраску")
    world.say(1, "кот в шляпе")
    world.say(1, "Получить раскраску")
    world.say(1, "собака")
    assert "ещё рисую" in world.last_text(1)
    assert world.ledger.balance(UserId(1)) == Balance(free=9, held=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "Пустое описание"),
        ("   ", "Пустое описание"),
        ("ab", "Слишком коротко"),
        ("к" * 5000, "Слишком длинно: не больше 1000 символов (у вас 5000)"),
    ],
)
def test_bad_descriptions_get_a_clear_answer_and_cost_nothing(
    world: World, text: str, expected: str
) -> None:
    world.say(1, "Получить раскраску")
    world.say(1, text)
    assert expected in world.last_text(1)
    assert world.ledger.balance(UserId(1)) == Balance(free=10)
    world.say(1, "кот в шляпе")  # still expecting a description
    assert world.last_text(1).startswith("Рисую")


@pytest.mark.parametrize(
    "kind", [MessageKind.STICKER, MessageKind.VOICE, MessageKind.PHOTO, MessageKind.OTHER]
)
def test_non_text_messages_get_a_helpful_answer(world: World, kind: MessageKind) -> None:
    world.say(1, "Получить раскраску")
    world.say(1, None, kind=kind)
    assert world.last_text(1) == CATALOGS["ru"]["not_text"]
    assert world.ledger.balance(UserId(1)) == Balance(free=10)


def test_unreadable_input_is_answered(world: World) -> None:
    world.say(1, None, kind=MessageKind.UNREADABLE)
    assert "кодировка" in world.last_text(1)


@pytest.mark.parametrize("command", ["/frobnicate", "/broadcast всем привет", "/STARTX"])
def test_unknown_commands_point_to_help(world: World, command: str) -> None:
    world.say(1, command)
    assert world.last_text(1) == CATALOGS["ru"]["unknown_command"]


def test_commands_addressed_to_the_bot_by_name_work(world: World) -> None:
    world.say(1, "/help@PaintBot")
    assert "/balance" in world.last_text(1)


def test_balance_and_help(world: World) -> None:
    world.say(1, "/balance")
    assert world.last_text(1) == "Бесплатных раскрасок: 10, купленных: 0, в работе: 0."
    world.say(2, "/help", language="en")
    assert "printable coloring page" in world.last_text(2)


def test_cancel_forgets_the_expected_description(world: World) -> None:
    world.say(1, "Получить раскраску")
    world.say(1, "/cancel")
    assert "отменил" in world.last_text(1)
    world.say(1, "кот в шляпе")
    assert world.queue.depth() == 0
    world.say(1, "/cancel")
    assert world.last_text(1) == CATALOGS["ru"]["nothing_to_cancel"]


def test_check_shows_details_only_to_admins(world: World) -> None:
    world.say(1, "/check")
    assert world.last_text(1) == "Сервис работает. Ваших раскрасок: 10."
    assert len(world.messenger.to(1)) == 1
    world.say(ADMIN, "/check")
    assert "Генератор: fake" in world.last_text(ADMIN) and "Пользователей: 2" in world.last_text(
        ADMIN
    )


def test_banned_user_is_told_and_gets_nothing(world: World) -> None:
    world.say(1, "/start")
    world.users.set_banned(UserId(1), True)
    world.say(1, "Получить раскраску")
    assert "ограничен" in world.last_text(1)
    world.say(1, "/start")
    assert "ограничен" in world.last_text(1)


def test_a_user_who_writes_again_is_no_longer_marked_blocked(world: World) -> None:
    world.say(1, "/start")
    world.users.set_blocked(UserId(1), True)
    world.say(1, "/balance")
    assert not world.users.get(UserId(1)).blocked  # type: ignore[union-attr]


def test_storage_outage_gets_a_plain_answer(world: World) -> None:
    def down(_: UserId) -> None:
        raise StorageUnavailable("disk I/O error")

    object.__setattr__(world.users, "get", down)
    world.say(1, "/balance")
    assert world.last_text(1) == CATALOGS["ru"]["storage_down"]


def test_unexpected_error_gets_an_apology_not_silence(world: World) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("bug")

    object.__setattr__(world.dialog.group(Account), "balance", broken)
    world.say(1, "/balance")
    assert world.last_text(1) == CATALOGS["ru"]["error"]


def test_every_catalog_has_the_same_keys_and_placeholders() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    ru, en = CATALOGS["ru"], CATALOGS["en"]
    assert ru.keys() == en.keys()
    for key in ru:
        assert fields(ru[key]) == fields(en[key]), key


def test_start_from_a_user_who_had_blocked_the_bot_marks_them_reachable_again(
    world: World,
) -> None:
    world.say(5, "/start")
    world.users.set_blocked(UserId(5), True)  # a broadcast found the bot blocked

    world.say(5, "/start")  # Telegram sends /start when they unblock the bot

    user = world.users.get(UserId(5))
    assert user is not None and not user.blocked
    assert UserId(5) in world.users.recipients()
