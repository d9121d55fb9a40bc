"""Admin tools of the reference bot: the get-id tool; nothing of it for others. (Broadcasts:
test_broadcast_dialog.py.)"""

from __future__ import annotations

from paintcore.dialog import IncomingCallback, IncomingMessage, MessageKind
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.users import Profile, UserId
from support.world import ADMIN, World

RU = CATALOGS["ru"]


def _users(world: World, *ids: int) -> None:
    for uid in ids:
        world.say(uid, "/start")


def _received(world: World, uid: int, text: str) -> bool:
    return text in world.messenger.texts(uid)


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
