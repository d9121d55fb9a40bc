"""The Jobs contract, run against every adapter of the port (subclasses provide `jobs`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from contract.racing import race
from paintcore.domain.errors import JobInFlight
from paintcore.domain.jobs import Job, JobState, Lease
from paintcore.domain.pages import AgeLevel, PageOptions, Paper, Style
from paintcore.domain.users import UserId
from paintcore.ports import Jobs

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def a_job(job_id: str = "j1", user_id: int = 1, created: float = 0) -> Job:
    return Job(
        id=job_id,
        user_id=UserId(user_id),
        chat_id=100 + user_id,
        description="кот в шляпе",
        options=PageOptions(level=AgeLevel.TODDLER, style=Style.MANDALA, paper=Paper.LETTER),
        state=JobState.QUEUED,
        created_at=at(created),
    )


class JobsContract:
    # -- adding and reading --------------------------------------------------------------------

    def test_an_added_job_reads_back_unchanged(self, jobs: Jobs) -> None:
        job = a_job()

        jobs.add(job)

        assert jobs.get("j1") == job

    def test_a_page_from_a_photo_keeps_its_file_id(self, jobs: Jobs) -> None:
        job = replace(a_job(), description="", photo_file_id="AgACAgIAAxkBAAI")
        jobs.add(job)
        assert jobs.get("j1") == job
        assert jobs.start("j1", at=at(1)) == replace(job, state=JobState.RUNNING, started_at=at(1))

    def test_times_read_back_as_the_same_aware_instants(self, jobs: Jobs) -> None:
        tokyo = timezone(timedelta(hours=9))
        jobs.add(a_job())
        jobs.start("j1", at=at(5).astimezone(tokyo))

        stored = jobs.get("j1")

        assert stored is not None
        assert (stored.created_at, stored.started_at) == (at(0), at(5))
        assert stored.started_at is not None and stored.started_at.utcoffset() is not None

    def test_an_unknown_job_is_none(self, jobs: Jobs) -> None:
        assert jobs.get("nope") is None

    def test_adding_a_known_job_id_is_refused(self, jobs: Jobs) -> None:
        jobs.add(a_job("j1", user_id=1))
        jobs.finish("j1", state=JobState.FAILED, at=at(1))

        with pytest.raises(ValueError):
            jobs.add(a_job("j1", user_id=2))

        stored = jobs.get("j1")
        assert stored is not None and stored.user_id == UserId(1)

    # -- one job in flight per user ------------------------------------------------------------

    def test_a_second_queued_job_of_a_user_raises_job_in_flight(self, jobs: Jobs) -> None:
        jobs.add(a_job("j1"))

        with pytest.raises(JobInFlight):
            jobs.add(a_job("j2"))

        assert jobs.get("j2") is None
        assert jobs.in_flight(UserId(1)) == a_job("j1")

    def test_a_running_job_also_blocks_a_new_one(self, jobs: Jobs) -> None:
        jobs.add(a_job("j1"))
        jobs.start("j1", at=at(1))

        with pytest.raises(JobInFlight):
            jobs.add(a_job("j2"))

        assert jobs.get("j2") is None

    @pytest.mark.parametrize("outcome", [JobState.SUCCEEDED, JobState.FAILED])
    def test_after_a_job_finishes_the_user_can_add_another(
        self, jobs: Jobs, outcome: JobState
    ) -> None:
        jobs.add(a_job("j1"))
        jobs.start("j1", at=at(1))
        jobs.finish("j1", state=outcome, at=at(2))

        jobs.add(a_job("j2", created=3))

        assert jobs.in_flight(UserId(1)) == a_job("j2", created=3)

    def test_users_each_have_their_own_job_in_flight(self, jobs: Jobs) -> None:
        jobs.add(a_job("a", user_id=1))
        jobs.add(a_job("b", user_id=2))

        assert jobs.in_flight(UserId(1)) == a_job("a", user_id=1)
        assert jobs.in_flight(UserId(2)) == a_job("b", user_id=2)
        assert jobs.in_flight(UserId(3)) is None

    def test_racing_adds_for_one_user_store_exactly_one_job(self, jobs: Jobs) -> None:
        outcomes = race(8, lambda i: jobs.add(a_job(f"j{i}")))

        assert outcomes.count(None) == 1
        assert sum(isinstance(o, JobInFlight) for o in outcomes) == 7
        assert jobs.counts()[JobState.QUEUED] == 1

    # -- the state machine ---------------------------------------------------------------------

    def test_start_moves_a_queued_job_to_running(self, jobs: Jobs) -> None:
        jobs.add(a_job())

        started = jobs.start("j1", at=at(5))

        assert started is not None
        assert (started.state, started.started_at) == (JobState.RUNNING, at(5))
        assert jobs.get("j1") == started

    def test_start_of_a_running_job_returns_none_and_keeps_its_start(self, jobs: Jobs) -> None:
        jobs.add(a_job())
        jobs.start("j1", at=at(5))

        assert jobs.start("j1", at=at(9)) is None

        stored = jobs.get("j1")
        assert stored is not None and stored.started_at == at(5)

    @pytest.mark.parametrize("outcome", [JobState.SUCCEEDED, JobState.FAILED])
    def test_a_finished_job_cannot_start_again(self, jobs: Jobs, outcome: JobState) -> None:
        jobs.add(a_job())
        jobs.start("j1", at=at(1))
        jobs.finish("j1", state=outcome, at=at(2))

        assert jobs.start("j1", at=at(3)) is None

        stored = jobs.get("j1")
        assert stored is not None and stored.state is outcome

    def test_start_of_an_unknown_job_returns_none(self, jobs: Jobs) -> None:
        assert jobs.start("nope", at=at(1)) is None

    def test_racing_workers_start_a_job_once(self, jobs: Jobs) -> None:
        jobs.add(a_job())

        outcomes = race(8, lambda i: jobs.start("j1", at=at(i)))

        winners = [o for o in outcomes if isinstance(o, Job)]
        assert len(winners) == 1
        assert outcomes.count(None) == 7
        assert jobs.get("j1") == winners[0]

    def test_finish_records_success_and_its_time(self, jobs: Jobs) -> None:
        jobs.add(a_job())
        jobs.start("j1", at=at(1))

        done = jobs.finish("j1", state=JobState.SUCCEEDED, at=at(7))

        assert done is not None
        assert (done.state, done.started_at, done.finished_at, done.error) == (
            JobState.SUCCEEDED,
            at(1),
            at(7),
            "",
        )
        assert jobs.get("j1") == done

    def test_finish_records_failure_and_its_reason(self, jobs: Jobs) -> None:
        jobs.add(a_job())
        jobs.start("j1", at=at(1))

        failed = jobs.finish("j1", state=JobState.FAILED, at=at(3), error="backend down")

        assert failed is not None
        assert (failed.state, failed.error) == (JobState.FAILED, "backend down")
        assert jobs.get("j1") == failed

    def test_a_queued_job_can_fail_without_running(self, jobs: Jobs) -> None:
        jobs.add(a_job())

        failed = jobs.finish("j1", state=JobState.FAILED, at=at(3), error="queue lost")

        assert failed is not None and failed.state is JobState.FAILED
        assert failed.started_at is None

    def test_a_queued_job_cannot_succeed_without_running(self, jobs: Jobs) -> None:
        jobs.add(a_job())

        assert jobs.finish("j1", state=JobState.SUCCEEDED, at=at(3)) is None

        assert jobs.get("j1") == a_job()

    def test_a_job_finishes_only_once(self, jobs: Jobs) -> None:
        jobs.add(a_job())
        jobs.start("j1", at=at(1))
        first = jobs.finish("j1", state=JobState.SUCCEEDED, at=at(2))

        assert jobs.finish("j1", state=JobState.FAILED, at=at(3), error="late") is None
        assert jobs.finish("j1", state=JobState.SUCCEEDED, at=at(4)) is None

        assert jobs.get("j1") == first

    def test_finish_of_an_unknown_job_returns_none(self, jobs: Jobs) -> None:
        assert jobs.finish("nope", state=JobState.FAILED, at=at(1)) is None

    @pytest.mark.parametrize("state", [JobState.QUEUED, JobState.RUNNING])
    def test_finish_into_an_unfinished_state_is_refused(self, jobs: Jobs, state: JobState) -> None:
        jobs.add(a_job())

        with pytest.raises(ValueError):
            jobs.finish("j1", state=state, at=at(1))

        assert jobs.get("j1") == a_job()

    def test_racing_finishes_settle_a_job_once(self, jobs: Jobs) -> None:
        jobs.add(a_job())
        jobs.start("j1", at=at(1))

        outcomes = race(
            8,
            lambda i: jobs.finish(
                "j1", state=JobState.FAILED if i % 2 else JobState.SUCCEEDED, at=at(2)
            ),
        )

        winners = [o for o in outcomes if isinstance(o, Job)]
        assert len(winners) == 1
        assert jobs.get("j1") == winners[0]

    # -- queries -------------------------------------------------------------------------------

    def test_in_flight_is_none_once_the_job_finished(self, jobs: Jobs) -> None:
        jobs.add(a_job())
        queued = jobs.in_flight(UserId(1))
        running = jobs.start("j1", at=at(1))
        in_flight_while_running = jobs.in_flight(UserId(1))
        jobs.finish("j1", state=JobState.SUCCEEDED, at=at(2))

        assert queued == a_job()
        assert in_flight_while_running == running
        assert jobs.in_flight(UserId(1)) is None

    def test_running_lists_running_jobs_oldest_start_first_with_their_leases(
        self, jobs: Jobs
    ) -> None:
        for user, started in ((1, 30), (2, 10), (3, 20)):
            jobs.add(a_job(f"j{user}", user_id=user))
            jobs.start(f"j{user}", at=at(started), lease=Lease(f"w{user}", at(started + 60)))
        jobs.add(a_job("queued", user_id=4))
        jobs.add(a_job("done", user_id=5))
        jobs.start("done", at=at(1))
        jobs.finish("done", state=JobState.FAILED, at=at(2))

        running = jobs.running()

        assert [job.id for job in running] == ["j2", "j3", "j1"]
        assert running[0].lease == Lease("w2", at(70))

    # -- leases: a live worker keeps its job; recovery takes it only from one that is gone --------

    def leased(self, jobs: Jobs, owner: str = "w1", until: float = 60) -> None:
        jobs.add(a_job())
        jobs.start("j1", at=at(0), lease=Lease(owner, at(until)))

    def test_a_job_taken_with_a_lease_reads_back_with_it(self, jobs: Jobs) -> None:
        self.leased(jobs)
        stored = jobs.get("j1")
        assert stored is not None and stored.lease == Lease("w1", at(60))

    def test_its_owner_renews_the_lease(self, jobs: Jobs) -> None:
        self.leased(jobs)

        assert jobs.renew("j1", owner="w1", until=at(120)) is True

        stored = jobs.get("j1")
        assert stored is not None and stored.lease == Lease("w1", at(120))

    def test_no_one_else_renews_it_and_nothing_renews_a_job_that_is_not_running(
        self, jobs: Jobs
    ) -> None:
        self.leased(jobs)
        jobs.add(a_job("queued", user_id=2))

        assert jobs.renew("j1", owner="w2", until=at(120)) is False
        assert jobs.renew("queued", owner="w1", until=at(120)) is False
        assert jobs.renew("missing", owner="w1", until=at(120)) is False
        jobs.finish("j1", state=JobState.SUCCEEDED, at=at(5))
        assert jobs.renew("j1", owner="w1", until=at(120)) is False
        stored = jobs.get("j1")
        assert stored is not None and stored.lease == Lease("w1", at(60))

    def test_a_live_lease_is_not_claimed(self, jobs: Jobs) -> None:
        self.leased(jobs)

        claimed = jobs.claim(
            "j1", at=at(59), owner="recovery", until=at(700), unleased_before=at(-600)
        )

        assert claimed is None
        assert jobs.renew("j1", owner="w1", until=at(120)) is True

    def test_an_expired_lease_is_claimed_and_its_worker_cannot_renew_it_after(
        self, jobs: Jobs
    ) -> None:
        self.leased(jobs)

        claimed = jobs.claim(
            "j1", at=at(61), owner="recovery", until=at(700), unleased_before=at(-600)
        )

        assert claimed is not None and claimed.lease == Lease("recovery", at(700))
        assert claimed.state is JobState.RUNNING
        assert jobs.renew("j1", owner="w1", until=at(120)) is False
        assert (
            jobs.claim("j1", at=at(62), owner="other", until=at(700), unleased_before=at(-600))
            is None
        )

    def test_the_lease_of_a_worker_known_to_be_gone_is_claimed_at_once(self, jobs: Jobs) -> None:
        self.leased(jobs)

        assert (
            jobs.claim(
                "j1", at=at(1), owner="recovery", until=at(700), gone="w2", unleased_before=at(-600)
            )
            is None
        )
        claimed = jobs.claim(
            "j1", at=at(1), owner="recovery", until=at(700), gone="w1", unleased_before=at(-600)
        )
        assert claimed is not None and claimed.lease == Lease("recovery", at(700))

    def test_a_job_taken_without_a_lease_is_claimed_only_once_it_is_old(self, jobs: Jobs) -> None:
        jobs.add(a_job())
        jobs.start("j1", at=at(100))

        young = jobs.claim("j1", at=at(500), owner="r", until=at(900), unleased_before=at(100))
        old = jobs.claim("j1", at=at(800), owner="r", until=at(900), unleased_before=at(101))

        assert young is None
        assert old is not None and old.lease == Lease("r", at(900))

    def test_only_running_jobs_are_claimed(self, jobs: Jobs) -> None:
        jobs.add(a_job("queued", user_id=1))
        jobs.add(a_job("done", user_id=2))
        jobs.start("done", at=at(0), lease=Lease("w", at(1)))
        jobs.finish("done", state=JobState.FAILED, at=at(2))

        for job_id in ("queued", "done", "missing"):
            assert (
                jobs.claim(job_id, at=at(99), owner="r", until=at(900), unleased_before=at(99))
                is None
            )

    def test_a_claim_and_a_renewal_racing_exclude_each_other(self, jobs: Jobs) -> None:
        self.leased(jobs, until=10)
        results = race(
            8,
            lambda i: (
                jobs.renew("j1", owner="w1", until=at(20 + i))
                if i % 2
                else jobs.claim(
                    "j1", at=at(11), owner=f"r{i}", until=at(900), unleased_before=at(-600)
                )
            ),
        )

        claims = [r for i, r in enumerate(results) if i % 2 == 0 and r is not None]
        renewals = [r for i, r in enumerate(results) if i % 2 == 1]
        stored = jobs.get("j1")
        assert stored is not None and stored.lease is not None
        # A renewal that lands first makes the lease live again, so no claim can follow; a claim
        # that lands first takes the lease, so no renewal can follow. Never both.
        if claims:
            assert len(claims) == 1 and not any(renewals)
            assert stored.lease == Lease(claims[0].lease.owner, at(900))  # type: ignore[union-attr]
        else:
            assert all(renewals) and stored.lease.owner == "w1"

    def test_queued_lists_queued_jobs_oldest_first(self, jobs: Jobs) -> None:
        jobs.add(a_job("middle", user_id=1, created=20))
        jobs.add(a_job("newest", user_id=2, created=30))
        jobs.add(a_job("oldest", user_id=3, created=10))
        jobs.add(a_job("running", user_id=4, created=0))
        jobs.start("running", at=at(40))

        assert [job.id for job in jobs.queued()] == ["oldest", "middle", "newest"]

    def test_counts_cover_every_state(self, jobs: Jobs) -> None:
        assert jobs.counts() == dict.fromkeys(JobState, 0)

        for user in range(1, 6):
            jobs.add(a_job(f"j{user}", user_id=user))
        jobs.start("j2", at=at(1))
        jobs.start("j3", at=at(1))
        jobs.finish("j3", state=JobState.SUCCEEDED, at=at(2))
        jobs.finish("j4", state=JobState.FAILED, at=at(2))

        assert jobs.counts() == {
            JobState.QUEUED: 2,
            JobState.RUNNING: 1,
            JobState.SUCCEEDED: 1,
            JobState.FAILED: 1,
        }

    # -- reports: since, recent ----------------------------------------------------------------

    def test_since_lists_jobs_created_at_or_after_a_moment_oldest_first(self, jobs: Jobs) -> None:
        for n, created in enumerate((30, 10, 20, 5)):
            jobs.add(a_job(f"j{n}", user_id=n + 1, created=created))

        assert [j.id for j in jobs.since(at(10))] == ["j1", "j2", "j0"]
        assert [j.id for j in jobs.since(at(10.000001))] == ["j2", "j0"]
        assert [j.id for j in jobs.since(at(31))] == []
        moscow = timezone(timedelta(hours=3))
        assert [j.id for j in jobs.since(at(20).astimezone(moscow))] == ["j2", "j0"]

    def test_since_lists_jobs_in_every_state(self, jobs: Jobs) -> None:
        jobs.add(a_job("j1", user_id=1, created=1))
        jobs.add(a_job("j2", user_id=2, created=2))
        jobs.start("j2", at=at(3))
        jobs.finish("j1", state=JobState.FAILED, at=at(4), error="boom")

        found = jobs.since(at(0))

        assert [(j.id, j.state) for j in found] == [
            ("j1", JobState.FAILED),
            ("j2", JobState.RUNNING),
        ]
        assert found[0].error == "boom"

    def _some_jobs(self, jobs: Jobs) -> None:
        """j1..j5 created at 1..5 s by users 1, 2, 1, 3, 1; j1 succeeded, j2 and j3 failed."""
        for n, user in enumerate((1, 2, 1, 3, 1), start=1):
            jobs.add(a_job(f"j{n}", user_id=user, created=n))
            if n in (1, 2, 3):
                jobs.start(f"j{n}", at=at(n + 0.5))
                state = JobState.SUCCEEDED if n == 1 else JobState.FAILED
                jobs.finish(f"j{n}", state=state, at=at(10 - n))

    def test_recent_lists_the_latest_jobs_newest_created_first(self, jobs: Jobs) -> None:
        self._some_jobs(jobs)

        assert [j.id for j in jobs.recent()] == ["j5", "j4", "j3", "j2", "j1"]
        assert [j.id for j in jobs.recent(limit=2)] == ["j5", "j4"]

    def test_recent_filters_by_state_and_by_user(self, jobs: Jobs) -> None:
        self._some_jobs(jobs)

        assert [j.id for j in jobs.recent(state=JobState.FAILED)] == ["j3", "j2"]
        assert [j.id for j in jobs.recent(state=JobState.FAILED, limit=1)] == ["j3"]
        assert [j.id for j in jobs.recent(state=JobState.QUEUED)] == ["j5", "j4"]
        assert [j.id for j in jobs.recent(state=JobState.RUNNING)] == []
        assert [j.id for j in jobs.recent(user_id=UserId(1))] == ["j5", "j3", "j1"]
        assert [j.id for j in jobs.recent(user_id=UserId(1), state=JobState.FAILED)] == ["j3"]
        assert jobs.recent(user_id=UserId(9)) == []

    def test_recent_reads_jobs_back_whole(self, jobs: Jobs) -> None:
        self._some_jobs(jobs)
        assert jobs.recent(state=JobState.SUCCEEDED) == [jobs.get("j1")]
