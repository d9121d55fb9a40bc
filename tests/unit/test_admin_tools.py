"""Admin tools of the reference bot: /broadcast and the get-id tool; nothing of them for others."""

from __future__ import annotations

from paintcore.dialog import AdminTools, IncomingCallback, IncomingMessage, MessageKind
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.errors import DeliveryFailed
from paintcore.domain.users import Profile, UserId
from paintcore.usecases import Broadcast
from support.world import ADMIN, World

RU = CATALOGS["ru"]


def _users(world: World, *ids: int) -> None:
    for uid in ids:
        world.say(uid, "/start")


def _received(world: World, uid: int, text: str) -> bool:
    return text in world.messenger.texts(uid)


def test_admin_broadcast_reaches_every_user_and_reports_a_tally(world: World) -> None:
    _users(world, 1, 2, 3, ADMIN)
    world.say(ADMIN, "/broadcast Новые раскраски!\nЗаходите.")

    for uid in (1, 2, 3):
        assert _received(world, uid, "Новые раскраски!\nЗаходите.")
    assert world.last_text(ADMIN) == (
        "Рассылка завершена: доставлено 4 из 4, заблокировали бота 0, ошибок 0."
    )
    assert world.dialog.group(AdminTools).broadcast_to_all.pacer.paced == 4  # type: ignore[attr-defined]


def test_non_admin_broadcast_reaches_no_one_and_looks_like_an_unknown_command(world: World) -> None:
    _users(world, 1, 2)
    world.say(1, "/broadcast спам")
    assert world.last_text(1) == RU["unknown_command"]
    assert not _received(world, 2, "спам")


def test_broadcast_marks_users_who_blocked_the_bot_and_skips_them_next_time(world: World) -> None:
    _users(world, 1, 2, ADMIN)
    world.messenger.blocked.add(2)
    world.say(ADMIN, "/broadcast привет")
    assert "заблокировали бота 1" in world.last_text(ADMIN)
    assert world.users.get(UserId(2)).blocked  # type: ignore[union-attr]

    world.messenger.blocked.discard(2)
    world.say(ADMIN, "/broadcast ещё раз")
    assert not _received(world, 2, "ещё раз")
    assert "доставлено 2 из 2" in world.last_text(ADMIN)


def test_broadcast_counts_failures_and_goes_on(world: World) -> None:
    _users(world, 1, 2)
    world.messenger.failures.append(DeliveryFailed("network"))
    pacer = world.dialog.group(AdminTools).broadcast_to_all.pacer
    report = Broadcast(world.users, world.messenger, pacer)(text="hi")
    assert (report.recipients, report.sent, report.failed) == (2, 1, 1)


def test_banned_users_get_no_broadcast(world: World) -> None:
    _users(world, 1, ADMIN)
    world.users.set_banned(UserId(1), True)
    world.say(ADMIN, "/broadcast привет")
    assert not _received(world, 1, "привет")


def test_broadcast_without_text_or_too_long_explains_itself(world: World) -> None:
    world.say(ADMIN, "/broadcast   ")
    assert world.last_text(ADMIN) == RU["broadcast_usage"]
    world.say(ADMIN, "/broadcast " + "x" * 5000)
    assert "не больше 4096" in world.last_text(ADMIN)


def test_admin_gets_the_file_id_of_a_photo_document_or_sticker(world: World) -> None:
    for kind in (MessageKind.PHOTO, MessageKind.DOCUMENT, MessageKind.STICKER):
        world.update_id += 1
        world.dialog.handle(
            IncomingMessage(
                world.update_id, ADMIN, Profile(UserId(ADMIN)), kind, None, file_id=f"F-{kind}"
            )
        )
        assert world.last_text(ADMIN).startswith(f"file_id: F-{kind}")


def test_a_users_photo_becomes_a_page_request_not_a_file_id(world: World) -> None:
    world.dialog.handle(
        IncomingMessage(1, 5, Profile(UserId(5)), MessageKind.PHOTO, None, file_id="SECRET")
    )
    assert world.last_text(5).startswith("Рисую «Раскраска из фото»")
    assert not any("SECRET" in text for text in world.messenger.texts(5))


def test_an_admins_photo_with_a_caption_is_a_page_request(world: World) -> None:
    world.dialog.handle(
        IncomingMessage(
            1, ADMIN, Profile(UserId(ADMIN)), MessageKind.PHOTO, "мой кот", file_id="F1"
        )
    )
    assert world.last_text(ADMIN).startswith("Рисую «мой кот»")


def test_forged_or_stale_callback_data_gets_a_notice_and_the_menu(world: World) -> None:
    for data in ("", "x" * 64, "level:9999", "\x00\xff"):
        world.dialog.handle_callback(
            IncomingCallback(1, 7, Profile(UserId(7)), f"cb-{data!r}", data)
        )
    assert len(world.messenger.callback_answers) == 4
    assert all(text == RU["unknown_button"] for _, text in world.messenger.callback_answers)
    assert world.messenger.to(7)[-1].keyboard is not None
