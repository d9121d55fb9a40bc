"""Issue 4 in the core: moderation costs nothing, a poor page is drawn again, an outage alerts
admins once, photos become pages, and each user's age level and style are remembered."""

from __future__ import annotations

import pytest

from paintcore.dialog import IncomingCallback, IncomingMessage, MessageKind
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.credits import Balance
from paintcore.domain.errors import (
    BackendUnavailable,
    GenerationFailed,
    PromptRejected,
    QuotaExceeded,
)
from paintcore.domain.jobs import JobState
from paintcore.domain.messages import InlineKeyboard
from paintcore.domain.pages import AgeLevel, PageOptions, Style
from paintcore.domain.quality import PageQuality
from paintcore.domain.users import Profile, UserId
from support.world import ADMIN, World

RU = CATALOGS["ru"]
GOOD = PageQuality(white_share=0.85, black_share=0.12, largest_solid_share=0.0)
POOR = PageQuality(white_share=0.55, black_share=0.40, largest_solid_share=0.08)
WORSE = PageQuality(white_share=0.40, black_share=0.55, largest_solid_share=0.2)
UID = UserId(5)


def _job(world: World, description: str = "кот в шляпе", **kwargs: object) -> str:
    world.register(profile=Profile(UID, "Петя"), language="ru")
    return world.request_page(
        user_id=UID,
        chat_id=5,
        description=description,
        options=PageOptions(),
        **kwargs,  # type: ignore[arg-type]
    ).id


# -- moderation ----------------------------------------------------------------------------------


def test_an_unsafe_description_is_refused_kindly_and_costs_nothing(world: World) -> None:
    world.say(5, "Получить раскраску")
    world.say(5, "голая девушка")
    assert world.last_text(5) == RU["prompt_rejected"]
    assert world.ledger.balance(UID) == Balance(free=10)
    assert world.jobs.in_flight(UID) is None and world.queue.depth() == 0
    world.say(5, "кот в шляпе")  # still expecting a description
    assert world.last_text(5).startswith("Рисую")


def test_a_rejected_description_is_never_stored_even_for_a_user_without_credits(
    world: World,
) -> None:
    # Moderation runs before the page is opened: nothing a restart could hand to a worker is
    # written for a rejected description (the price: users without credits are moderated too).
    world.register(profile=Profile(UID), language="ru")
    world.ledger.reserve(user_id=UID, job_id="drain", amount=10)

    with pytest.raises(PromptRejected):
        world.request_page(
            user_id=UID, chat_id=5, description="голая девушка", options=PageOptions()
        )

    assert world.jobs.counts() == dict.fromkeys(JobState, 0)
    with pytest.raises(QuotaExceeded):
        world.request_page(user_id=UID, chat_id=5, description="кот", options=PageOptions())


def test_a_rejection_from_the_image_backend_refunds_and_explains(world: World) -> None:
    job_id = _job(world)
    world.generator.failures.append(PromptRejected("unsafe", detail="content_policy_violation"))
    done = world.run_generation(job_id=job_id)
    assert done is not None and done.state is JobState.FAILED
    assert world.last_text(5) == RU["prompt_rejected"]
    assert world.ledger.balance(UID) == Balance(free=10)


# -- quality --------------------------------------------------------------------------------------


def test_a_poor_page_is_drawn_again_and_the_good_one_delivered(world: World) -> None:
    world.finisher.qualities[:] = [POOR, GOOD]
    world.run_generation(job_id=_job(world))
    assert len(world.generator.prompts) == 2
    [page] = [m for m in world.messenger.to(5) if m.kind == "page"]
    assert page.page is not None and page.page.quality == GOOD
    assert world.ledger.balance(UID) == Balance(free=9)  # one credit, however many attempts


def test_when_both_attempts_are_poor_the_better_is_delivered(world: World) -> None:
    world.finisher.qualities[:] = [WORSE, POOR]
    world.run_generation(job_id=_job(world))
    [page] = [m for m in world.messenger.to(5) if m.kind == "page"]
    assert page.page is not None and page.page.quality == POOR


def test_a_good_page_is_not_drawn_twice(world: World) -> None:
    world.finisher.qualities[:] = [GOOD]
    world.run_generation(job_id=_job(world))
    assert len(world.generator.prompts) == 1


def test_a_failing_second_attempt_still_delivers_the_first_page(world: World) -> None:
    world.finisher.qualities[:] = [POOR]
    world.generator.failures[:] = [None, GenerationFailed("timeout")]
    done = world.run_generation(job_id=_job(world))
    assert done is not None and done.state is JobState.SUCCEEDED
    assert len(world.generator.prompts) == 2
    assert [m.kind for m in world.messenger.to(5)].count("page") == 1


# -- outages --------------------------------------------------------------------------------------


def test_an_outage_alerts_admins_once_not_once_per_user(world: World) -> None:
    for uid in (5, 6, 7):
        world.register(profile=Profile(UserId(uid)), language="ru")
        job = world.request_page(
            user_id=UserId(uid), chat_id=uid, description="кот", options=PageOptions()
        )
        world.generator.failures.append(BackendUnavailable("401 invalid api key"))
        world.run_generation(job_id=job.id)
        assert world.ledger.balance(UserId(uid)) == Balance(free=10)
    alerts = [t for t in world.messenger.texts(ADMIN) if "отказывает всем" in t]
    assert len(alerts) == 1 and "invalid api key" in alerts[0]


def test_after_recovery_a_new_outage_alerts_again(world: World) -> None:
    world.register(profile=Profile(UID), language="ru")
    for failure in (BackendUnavailable("quota"), None, BackendUnavailable("quota again")):
        if failure is not None:
            world.generator.failures.append(failure)
        job = world.request_page(user_id=UID, chat_id=5, description="кот", options=PageOptions())
        world.run_generation(job_id=job.id)
    assert len([t for t in world.messenger.texts(ADMIN) if "отказывает всем" in t]) == 2


# -- photos ---------------------------------------------------------------------------------------


def test_a_photo_becomes_a_page_for_one_credit(world: World) -> None:
    world.attachments.files["PHOTO-1"] = b"\xff\xd8 jpeg bytes of a cat"
    world.dialog.handle(
        IncomingMessage(1, 5, Profile(UID), MessageKind.PHOTO, None, file_id="PHOTO-1")
    )
    world.queue.run_pending()

    assert world.tracer.photos == [b"\xff\xd8 jpeg bytes of a cat"]
    assert "redraw this photo" in world.tracer.prompts[0].lower()
    assert world.generator.prompts == []
    [page] = [m for m in world.messenger.to(5) if m.kind == "page"]
    assert page.text.startswith("Готово: «Раскраска из фото»")
    assert world.ledger.balance(UID) == Balance(free=9)


def test_a_photo_traced_offline_is_not_called_a_pattern_page(world: World) -> None:
    # The offline tracer's pages come from a backend named "offline-photo"; the caption used to
    # take every "offline…" source for the pattern generator and said so under a traced photo.
    from adapters.offline_images import OfflinePhotoTracer

    traced = OfflinePhotoTracer().trace(photo=_jpeg_photo(), prompt="", options=PageOptions())
    object.__setattr__(world.tracer, "trace", lambda **_: traced)
    world.attachments.files["PHOTO-2"] = b"jpeg"
    world.dialog.handle(
        IncomingMessage(1, 5, Profile(UID), MessageKind.PHOTO, None, file_id="PHOTO-2")
    )
    world.queue.run_pending()

    [page] = [m for m in world.messenger.to(5) if m.kind == "page"]
    assert traced.source.startswith("offline")
    assert "узорная" not in page.text and "Нарисовал" not in page.text


def _jpeg_photo() -> bytes:
    import io

    from PIL import Image, ImageDraw

    photo = Image.new("RGB", (640, 480), (120, 170, 220))
    ImageDraw.Draw(photo).rectangle((160, 160, 480, 400), fill=(200, 80, 60))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def test_a_photo_caption_is_the_title_and_is_moderated(world: World) -> None:
    world.attachments.files["P"] = b"jpeg"
    world.dialog.handle(
        IncomingMessage(1, 5, Profile(UID), MessageKind.PHOTO, "голый король", file_id="P")
    )
    assert world.last_text(5) == RU["prompt_rejected"]
    world.dialog.handle(
        IncomingMessage(2, 5, Profile(UID), MessageKind.PHOTO, "мой кот Барсик", file_id="P")
    )
    world.queue.run_pending()
    page = next(m.page for m in world.messenger.to(5) if m.kind == "page")
    assert page is not None and page.title == "мой кот Барсик"


def test_a_photo_that_cannot_be_downloaded_is_refunded(world: World) -> None:
    world.dialog.handle(
        IncomingMessage(1, 5, Profile(UID), MessageKind.PHOTO, None, file_id="GONE")
    )
    world.queue.run_pending()
    assert world.ledger.balance(UID) == Balance(free=10)
    assert "не списана" in world.last_text(5)


# -- remembered choices --------------------------------------------------------------------------


def _press(world: World, data: str, uid: int = 5) -> None:
    world.update_id += 1
    world.dialog.handle_callback(
        IncomingCallback(world.update_id, uid, Profile(UserId(uid)), f"q{world.update_id}", data)
    )


def test_the_description_request_carries_level_and_style_buttons(world: World) -> None:
    world.say(5, "Получить раскраску")
    keyboard = world.messenger.to(5)[-1].keyboard
    assert isinstance(keyboard, InlineKeyboard)
    data = [b.data for row in keyboard.rows for b in row]
    assert data == [
        "lvl:2-4",
        "lvl:4-7",
        "lvl:8-12",
        "lvl:adult",
        "sty:cartoon",
        "sty:realistic",
        "sty:mandala",
        "sty:kawaii",
    ]
    ticked = [b.label for row in keyboard.rows for b in row if b.label.startswith("✓")]
    assert ticked == ["✓ 4–7 лет", "✓ мультяшный"]  # the defaults


def test_a_choice_is_remembered_and_used_for_the_next_pages(world: World) -> None:
    world.say(5, "Получить раскраску")
    _press(world, "lvl:2-4")
    _press(world, "sty:mandala")
    assert world.messenger.callback_answers[-1][1] == "Запомнил: мандала"
    world.say(5, "кот в шляпе")
    world.queue.run_pending()
    assert world.preferences.get(UID) == PageOptions(level=AgeLevel.TODDLER, style=Style.MANDALA)
    assert "toddlers" in world.generator.prompts[-1] and "mandala" in world.generator.prompts[-1]

    world.say(5, "Получить раскраску")  # next time the buttons show the choice
    keyboard = world.messenger.to(5)[-1].keyboard
    assert isinstance(keyboard, InlineKeyboard)
    assert [b.label for row in keyboard.rows for b in row if b.label.startswith("✓")] == [
        "✓ 2–4 года",
        "✓ мандала",
    ]


def test_the_settings_button_shows_the_current_choice(world: World) -> None:
    world.say(5, "Настройки")
    message = world.messenger.to(5)[-1]
    assert message.text.startswith("Возраст: 4–7 лет. Стиль: мультяшный.")
    assert isinstance(message.keyboard, InlineKeyboard)


@pytest.mark.parametrize(
    "data", ["lvl:99", "sty:", "lvl:adult; DROP TABLE", "sty:MANDALA", "x" * 64]
)
def test_forged_settings_data_changes_nothing(world: World, data: str) -> None:
    _press(world, data)
    assert world.preferences.get(UID) is None
    assert world.messenger.callback_answers[-1][1] == RU["unknown_button"]


def test_a_press_from_someone_who_never_sent_start_registers_them_as_a_message_would(
    world: World,
) -> None:
    stranger = UserId(77)
    _press(world, "lvl:2-4", uid=stranger)
    assert world.users.get(stranger) is not None  # never a preferences row without its user
    assert world.ledger.balance(stranger) == Balance(free=10)
    assert world.preferences.get(stranger) == PageOptions(level=AgeLevel.TODDLER)
    assert world.messenger.callback_answers[-1][1] == "Запомнил: 2–4 года"


def test_a_banned_users_press_changes_nothing_and_says_why(world: World) -> None:
    world.say(5, "/start")
    world.users.set_banned(UID, True)
    _press(world, "lvl:2-4")
    assert world.preferences.get(UID) is None
    assert world.messenger.callback_answers[-1][1] == RU["banned"]


def test_typed_set_command_does_what_the_button_does(world: World) -> None:
    world.say(5, "/set lvl:adult")
    assert world.last_text(5) == "Запомнил: взрослым"
    assert world.preferences.get(UID) == PageOptions(level=AgeLevel.ADULT)
    world.say(5, "/set nonsense")
    assert world.last_text(5) == RU["unknown_button"]
