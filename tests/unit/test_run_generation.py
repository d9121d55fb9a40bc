"""RunGeneration: deliver then capture; any failure releases the credit and says so plainly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from paintcore.dialog.texts import CATALOGS
from paintcore.domain.credits import Balance, HoldState
from paintcore.domain.errors import (
    DeliveryFailed,
    GenerationFailed,
    PartiallyDelivered,
    PromptRejected,
    RateLimited,
    StorageUnavailable,
)
from paintcore.domain.jobs import Job, JobState
from paintcore.domain.pages import ArtKind, DrawnSubject, PageOptions
from paintcore.domain.users import Profile, UserId
from support.world import ADMIN, World

UID = UserId(5)


def _queued(world: World, description: str = "кот в шляпе") -> Job:
    world.register(profile=Profile(UID, first_name="Петя", username="petya"), language="ru")
    return world.request_page(
        user_id=UID, chat_id=5, description=description, options=PageOptions()
    )


def test_success_delivers_the_page_copies_admins_and_captures_the_credit(world: World) -> None:
    job = _queued(world)
    done = world.run_generation(job_id=job.id)

    assert done is not None and done.state is JobState.SUCCEEDED
    [page_msg] = [m for m in world.messenger.to(5) if m.kind == "page"]
    assert page_msg.page is not None and page_msg.page.title == "кот в шляпе"
    assert "Осталось раскрасок: 9" in page_msg.text
    [copy] = world.messenger.to(ADMIN)
    assert (
        copy.kind == "page"
        and "5" in copy.text
        and "@petya" in copy.text
        and "кот в шляпе" in copy.text
    )
    assert world.ledger.balance(UID) == Balance(free=9)
    assert world.ledger.hold(job.id).state is HoldState.CAPTURED  # type: ignore[union-attr]


def test_pattern_pages_say_so_in_the_caption(world: World) -> None:
    world.generator.kind = ArtKind.PATTERN
    job = _queued(world)
    world.run_generation(job_id=job.id)
    assert "узорная страница" in world.messenger.to(5)[-1].text


def test_pages_of_recognised_subjects_name_what_was_drawn_in_the_users_language(
    world: World,
) -> None:
    world.generator.kind = ArtKind.SUBJECTS
    world.generator.subjects = (
        DrawnSubject("🐈", "cat", "кошка"),
        DrawnSubject("🎩", "top hat", "цилиндр"),
    )
    job = _queued(world)
    world.run_generation(job_id=job.id)
    caption = world.messenger.to(5)[-1].text
    assert "Нарисовал: кошка, цилиндр." in caption
    assert "узорная" not in caption


def test_pages_from_a_drawing_backend_carry_no_note(world: World) -> None:
    job = _queued(world)
    world.run_generation(job_id=job.id)
    caption = world.messenger.to(5)[-1].text
    assert "узорная" not in caption and "Нарисовал" not in caption


def test_the_user_sees_drawing_while_the_page_is_made_and_not_after(world: World) -> None:
    job = _queued(world)
    seen_while_generating: list[bool] = []
    generate = world.generator.generate

    def watching(**kwargs: object) -> object:
        seen_while_generating.append(5 in world.messenger.working_now)
        return generate(**kwargs)  # type: ignore[arg-type]

    object.__setattr__(world.generator, "generate", watching)
    world.run_generation(job_id=job.id)

    assert seen_while_generating == [True]
    assert world.messenger.working_now == set()
    kinds = [m.kind for m in world.messenger.to(5)]
    assert kinds.index("working") < kinds.index("page")


def test_the_image_backend_gets_a_coloring_page_prompt(world: World) -> None:
    job = _queued(world, "динозавр на скейте")
    world.run_generation(job_id=job.id)
    [prompt] = world.generator.prompts
    assert "динозавр на скейте" in prompt
    assert "coloring book page" in prompt and "no shading" in prompt.lower()


@pytest.mark.parametrize(
    "failure",
    [GenerationFailed("backend down"), RateLimited(30), PromptRejected("not for kids")],
)
def test_generation_failure_releases_the_credit_and_tells_the_user(
    world: World, failure: Exception
) -> None:
    job = _queued(world)
    world.generator.failures.append(failure)  # type: ignore[arg-type]

    done = world.run_generation(job_id=job.id)

    assert done is not None and done.state is JobState.FAILED and done.error
    assert world.ledger.balance(UID) == Balance(free=10)
    assert world.ledger.hold(job.id).state is HoldState.RELEASED  # type: ignore[union-attr]
    assert "не списан" in world.last_text(5)  # "не списана" / "ничего не списано"
    assert world.messenger.to(ADMIN) == []


def test_a_bug_in_an_adapter_still_releases_the_credit(world: World) -> None:
    job = _queued(world)

    class Broken:
        def finish(self, *args: object, **kwargs: object) -> object:
            raise ZeroDivisionError("oops")

    object.__setattr__(world.run_generation, "finisher", Broken())
    done = world.run_generation(job_id=job.id)

    assert done is not None and done.state is JobState.FAILED and "ZeroDivisionError" in done.error
    assert world.ledger.balance(UID) == Balance(free=10)


def test_user_who_blocked_the_bot_is_marked_and_not_charged(world: World) -> None:
    job = _queued(world)
    world.messenger.blocked.add(5)

    done = world.run_generation(job_id=job.id)

    assert done is not None and done.state is JobState.FAILED
    assert world.users.get(UID).blocked  # type: ignore[union-attr]
    assert world.ledger.balance(UID) == Balance(free=10)


def test_blocked_user_is_refunded_even_if_marking_them_fails(world: World) -> None:
    job = _queued(world)
    world.messenger.blocked.add(5)

    def storage_down(*_: object) -> None:
        raise StorageUnavailable("disk full")

    object.__setattr__(world.users, "set_blocked", storage_down)
    done = world.run_generation(job_id=job.id)

    assert done is not None and done.state is JobState.FAILED
    assert world.ledger.balance(UID) == Balance(free=10)


def test_delivery_failure_releases_the_credit(world: World) -> None:
    job = _queued(world)
    world.messenger.failures.append(DeliveryFailed("network"))
    done = world.run_generation(job_id=job.id)
    assert done is not None and done.state is JobState.FAILED
    assert world.ledger.balance(UID) == Balance(free=10)


def test_a_picture_delivered_without_its_pdf_is_charged_and_the_user_told_why(
    world: World,
) -> None:
    job = _queued(world)
    world.messenger.failures.append(PartiallyDelivered("PDF failed; the picture stays"))

    done = world.run_generation(job_id=job.id)

    assert done is not None and done.state is JobState.SUCCEEDED
    assert [m.kind for m in world.messenger.to(5)] == ["working", "page", "text"]
    assert world.last_text(5) == CATALOGS["ru"]["page_without_pdf"].format(title="кот в шляпе")
    assert world.ledger.balance(UID) == Balance(free=9)
    assert world.ledger.hold(job.id).state is HoldState.CAPTURED  # type: ignore[union-attr]
    assert [m.kind for m in world.messenger.to(ADMIN)] == ["page"]


def test_a_job_runs_once_even_if_enqueued_twice(world: World) -> None:
    job = _queued(world)
    assert world.run_generation(job_id=job.id) is not None
    assert world.run_generation(job_id=job.id) is None
    assert len(world.generator.prompts) == 1
    assert world.ledger.balance(UID) == Balance(free=9)


def test_unknown_job_is_ignored(world: World) -> None:
    assert world.run_generation(job_id="nope") is None


def test_job_without_a_reserved_credit_fails_without_a_free_page(world: World) -> None:
    job = _queued(world)
    world.ledger.release(job_id=job.id)  # as if the reserve never happened

    done = world.run_generation(job_id=job.id)

    assert done is not None and done.state is JobState.FAILED
    assert world.generator.prompts == []
    assert [m for m in world.messenger.to(5) if m.kind == "page"] == []
    assert world.ledger.balance(UID) == Balance(free=10)


def test_admin_copy_failure_does_not_fail_the_users_page(world: World) -> None:
    job = _queued(world)
    world.messenger.blocked.add(ADMIN)
    done = world.run_generation(job_id=job.id)
    assert done is not None and done.state is JobState.SUCCEEDED
    assert world.ledger.balance(UID) == Balance(free=9)


def test_a_huge_name_never_pushes_the_description_out_of_the_admin_copy(world: World) -> None:
    world.register(
        profile=Profile(UID, first_name="Я" * 10_000, last_name="Ю" * 5000, username="u" * 10_000),
        language="ru",
    )
    job = world.request_page(
        user_id=UID, chat_id=5, description="кот в шляпе", options=PageOptions()
    )
    world.run_generation(job_id=job.id)
    [copy] = world.messenger.to(ADMIN)
    assert len(copy.text) <= 1024  # Telegram's caption limit
    assert "«кот в шляпе»" in copy.text and "@uuu" in copy.text and "ЯЯЯ" in copy.text


def test_recovery_fails_and_refunds_a_job_left_running_by_a_crash(world: World) -> None:
    job = _queued(world)
    world.jobs.start(job.id, at=world.clock.now())  # a worker took it, then the process died
    world.clock.advance(timedelta(minutes=11).total_seconds())

    report = world.recover(requeue=False)

    assert report.failed == 1
    assert world.jobs.get(job.id).state is JobState.FAILED  # type: ignore[union-attr]
    assert world.ledger.balance(UID) == Balance(free=10)
    assert "прервалась" in world.last_text(5)


def test_recovery_leaves_recent_running_jobs_alone(world: World) -> None:
    job = _queued(world)
    world.jobs.start(job.id, at=world.clock.now())
    world.clock.advance(60)
    assert world.recover(requeue=False).failed == 0
    assert world.jobs.get(job.id).state is JobState.RUNNING  # type: ignore[union-attr]


def test_recovery_requeues_queued_jobs_lost_with_an_in_process_queue(world: World) -> None:
    job = _queued(world)
    world.queue.waiting.clear()  # the process restarted: its in-memory queue is gone

    assert world.recover().requeued == 1
    world.queue.run_pending()
    assert world.jobs.get(job.id).state is JobState.SUCCEEDED  # type: ignore[union-attr]
    assert world.ledger.balance(UID) == Balance(free=9)


def test_jobs_abandoned_at_shutdown_are_failed_and_refunded(world: World) -> None:
    job = _queued(world)
    world.jobs.start(job.id, at=world.clock.now())  # running, well within the timeout

    report = world.recover(requeue=False, abandoned=[job.id, "unknown-job"])

    assert report.failed == 1
    assert world.jobs.get(job.id).state is JobState.FAILED  # type: ignore[union-attr]
    assert world.ledger.balance(UID) == Balance(free=10)
    assert world.recover(requeue=False, abandoned=[job.id]).failed == 0  # already settled
