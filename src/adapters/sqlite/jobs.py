"""Jobs stored in SQLite; the one-in-flight-per-user rule is a partial unique index."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from paintcore.domain.errors import JobInFlight
from paintcore.domain.jobs import Job, JobId, JobState, Lease, can_move
from paintcore.domain.pages import AgeLevel, PageOptions, Paper, Style
from paintcore.domain.users import UserId

from .db import Database, from_text, from_text_or_none, to_text

_IN_FLIGHT = tuple(state.value for state in JobState if state.in_flight)
_FINAL = (JobState.SUCCEEDED, JobState.FAILED)


class SqliteJobs:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, job: Job) -> None:
        try:
            with self._db.write() as conn:
                if conn.execute("SELECT 1 FROM jobs WHERE id = ?", (job.id,)).fetchone():
                    raise ValueError(f"job {job.id} exists")
                conn.execute(
                    """
                    INSERT INTO jobs (id, user_id, chat_id, prompt, level, style, paper, state,
                                      created_at, started_at, finished_at, error, photo_file_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    (
                        job.id,
                        job.user_id,
                        job.chat_id,
                        job.description,
                        job.options.level.value,
                        job.options.style.value,
                        job.options.paper.value,
                        job.state.value,
                        to_text(job.created_at),
                        None if job.started_at is None else to_text(job.started_at),
                        None if job.finished_at is None else to_text(job.finished_at),
                        job.error,
                        job.photo_file_id,
                    ),
                )
        except sqlite3.IntegrityError as error:
            # The id was checked above, so the only unique rule left is one job in flight.
            if "jobs.user_id" in str(error):
                raise JobInFlight(f"user {job.user_id} already has a job in flight") from error
            raise

    def get(self, job_id: str) -> Job | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else job_from_row(row)

    def start(self, job_id: str, *, at: datetime, lease: Lease | None = None) -> Job | None:
        return self._move(job_id, JobState.RUNNING, at, "", lease)

    def renew(self, job_id: str, *, owner: str, until: datetime) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute(
                """
                UPDATE jobs SET lease_until = ?
                WHERE id = ? AND state = 'running' AND lease_owner = ?
                """,
                (to_text(until), job_id, owner),
            )
            return cursor.rowcount == 1

    def claim(
        self,
        job_id: str,
        *,
        at: datetime,
        owner: str,
        until: datetime,
        gone: str | None = None,
        unleased_before: datetime,
    ) -> Job | None:
        # The conditions of Job.claimable, in the UPDATE's guard (text order is time order).
        with self._db.write() as conn:
            cursor = conn.execute(
                """
                UPDATE jobs SET lease_owner = ?, lease_until = ?
                WHERE id = ? AND state = 'running' AND (
                    (lease_owner IS NULL AND started_at < ?)
                    OR lease_until < ?
                    OR (lease_owner IS NOT NULL AND lease_owner = ?)
                )
                """,
                (owner, to_text(until), job_id, to_text(unleased_before), to_text(at), gone),
            )
            if cursor.rowcount == 0:
                return None
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return job_from_row(row)

    def finish(self, job_id: str, *, state: JobState, at: datetime, error: str = "") -> Job | None:
        if state not in _FINAL:
            raise ValueError(f"cannot finish a job as {state}")
        return self._move(job_id, state, at, error)

    def in_flight(self, user_id: UserId) -> Job | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM jobs WHERE user_id = ? AND state IN (?, ?)", (user_id, *_IN_FLIGHT)
            ).fetchone()
        return None if row is None else job_from_row(row)

    def running(self) -> list[Job]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM jobs WHERE state = 'running' ORDER BY started_at, rowid"
            ).fetchall()
        return [job_from_row(row) for row in rows]

    def queued(self) -> list[Job]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM jobs WHERE state = 'queued' ORDER BY created_at, rowid"
            ).fetchall()
        return [job_from_row(row) for row in rows]

    def since(self, moment: datetime) -> list[Job]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM jobs WHERE created_at >= ? ORDER BY created_at, rowid",
                (to_text(moment),),
            ).fetchall()
        return [job_from_row(row) for row in rows]

    def recent(
        self, *, state: JobState | None = None, user_id: UserId | None = None, limit: int = 10
    ) -> list[Job]:
        # Fixed shapes (no `? IS NULL OR ...`), so that each can use an index.
        where = [
            (clause, value)
            for clause, value in (
                ("state = ?", None if state is None else state.value),
                ("user_id = ?", user_id),
            )
            if value is not None
        ]
        sql = "SELECT * FROM jobs"
        if where:
            sql += " WHERE " + " AND ".join(clause for clause, _ in where)
        sql += " ORDER BY created_at DESC, rowid DESC LIMIT ?"
        with self._db.read() as conn:
            rows = conn.execute(sql, (*(value for _, value in where), max(limit, 0))).fetchall()
        return [job_from_row(row) for row in rows]

    def counts(self) -> dict[JobState, int]:
        with self._db.read() as conn:
            rows = conn.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall()
        counted = {JobState(state): n for state, n in rows}
        return {state: counted.get(state, 0) for state in JobState}

    def _move(
        self, job_id: str, target: JobState, at: datetime, error: str, lease: Lease | None = None
    ) -> Job | None:
        """A guarded UPDATE: it only matches when the current state may move to `target`."""
        sources = [state.value for state in JobState if can_move(state, target)]
        placeholders = ", ".join("?" for _ in sources)
        if target is JobState.RUNNING:
            changes = "started_at = ?, lease_owner = ?, lease_until = ?"
            values = [
                to_text(at),
                None if lease is None else lease.owner,
                None if lease is None else to_text(lease.until),
            ]
        else:
            changes, values = "finished_at = ?, error = ?", [to_text(at), error]
        with self._db.write() as conn:
            cursor = conn.execute(
                f"UPDATE jobs SET state = ?, {changes} WHERE id = ? AND state IN ({placeholders})",
                (target.value, *values, job_id, *sources),
            )
            if cursor.rowcount == 0:
                return None
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return job_from_row(row)


def job_from_row(row: sqlite3.Row) -> Job:
    return Job(
        id=JobId(row["id"]),
        user_id=UserId(row["user_id"]),
        chat_id=row["chat_id"],
        description=row["prompt"],  # the column keeps its first name
        options=PageOptions(
            level=AgeLevel(row["level"]), style=Style(row["style"]), paper=Paper(row["paper"])
        ),
        state=JobState(row["state"]),
        created_at=from_text(row["created_at"]),
        started_at=from_text_or_none(row["started_at"]),
        finished_at=from_text_or_none(row["finished_at"]),
        error=row["error"],
        photo_file_id=row["photo_file_id"],
        lease=_lease(row["lease_owner"], row["lease_until"]),
    )


def _lease(owner: str | None, until: str | None) -> Lease | None:
    return None if owner is None or until is None else Lease(owner, from_text(until))
