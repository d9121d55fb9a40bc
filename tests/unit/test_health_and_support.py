"""HealthCheck and Support: fast answers about the service, honest when storage is down."""

from __future__ import annotations

from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.pages import PageOptions
from paintcore.domain.users import Profile, UserId
from paintcore.usecases import HealthCheck, Support
from support.world import World


def test_healthy_report_counts_users_queue_and_running_jobs(world: World) -> None:
    world.register(profile=Profile(UserId(1)), language="ru")
    world.register(profile=Profile(UserId(2)), language="ru")
    world.request_page(
        user_id=UserId(1), chat_id=1, description="кот в шляпе", options=PageOptions()
    )
    job = world.request_page(
        user_id=UserId(2), chat_id=2, description="кот в шляпе", options=PageOptions()
    )
    world.jobs.start(job.id, at=world.clock.now())

    report = HealthCheck(world.users, world.jobs, world.generator, world.queue)()

    assert report.ok and report.storage_detail == "ok"
    assert (report.users, report.queue_depth, report.jobs_running) == (2, 2, 1)
    assert report.image_backend == "fake"


def test_storage_outage_makes_the_report_unhealthy_without_raising(world: World) -> None:
    def down() -> int:
        raise StorageUnavailable("database is locked")

    object.__setattr__(world.users, "count", down)
    report = HealthCheck(world.users, world.jobs, world.generator, world.queue)()

    assert not report.ok and "locked" in report.storage_detail


def test_support_contact_is_trimmed_and_may_be_missing() -> None:
    assert Support("  @help  ")() == "@help"
    assert Support()() == ""
