"""The admin's reports as text: a user, the stats, the jobs; and fitting a reply into one message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from ..domain.jobs import Job
from ..domain.payments import STARS
from ..domain.users import User
from ..usecases import JobsSnapshot, StatsReport, UserSummary
from .notifier import NAME_LIMIT, short
from .texts import Texts

LISTED = 15  # jobs listed per kind in /jobs (the counts say how many there are)
ERROR_LIMIT = 200


def fit(text: str, limit: int) -> str:
    """`text` as one message of at most `limit` characters: cut at a line end when one is near."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 2)
    if cut < limit // 2:
        return text[: limit - 1] + "…"
    return text[:cut] + "\n…"


def at(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


def who(user: User) -> str:
    """How an admin's reply names a user: name, @username and id."""
    return f"{short(user.first_name or '—', NAME_LIMIT)} ({user.mention}, id {user.id})"


def user_text(summary: UserSummary, t: Texts) -> str:
    user, balance = summary.user, summary.balance
    status = [key for key, on in (("banned", user.banned), ("blocked", user.blocked)) if on]
    lines = [
        t(
            "user_report",
            who=who(user),
            language=user.language,
            registered=at(user.registered_at),
            status=", ".join(t(f"user_status_{key}") for key in status or ["active"]),
            free=balance.free,
            paid=balance.paid,
            held=balance.held,
        ),
        t("user_report_pages" if summary.pages else "user_report_no_pages"),
        *(_page_line(job, t) for job in summary.pages),
        t("user_report_payments" if summary.payments else "user_report_no_payments"),
    ]
    for payment in summary.payments:
        lines.append(
            t(
                "user_report_payment",
                at=at(payment.created_at),
                amount=payment.amount,
                currency=_currency(payment.currency, t),
                pages=payment.pages,
                state=t(f"user_report_payment_{payment.state.value}"),
                charge=short(payment.charge_id, 80),  # whole, for /refund: yookassa:<uuid> is 45
            )
        )
    return "\n".join(lines)


def stats_text(report: StatsReport, t: Texts) -> str:
    rate = report.success_rate
    lines = [
        t(
            "stats",
            at=at(report.at),
            users=report.users,
            new_day=report.new_day,
            new_week=report.new_week,
            active_day=report.active_day,
            active_week=report.active_week,
            pages_today=report.pages_today,
            drawn_today=report.drawn_today,
            pages_week=report.pages_week,
            drawn_week=report.drawn_week,
            failed_week=report.failed_week,
            success="—" if rate is None else f"{rate * 100:.1f} %",
            mean=_seconds(report.mean_seconds, t),
            p95=_seconds(report.p95_seconds, t),
        )
    ]
    for currency, (received, refunded) in sorted(report.money.items()):
        lines.append(
            t(
                "stats_money",
                currency=_currency(currency, t),
                received=received,
                refunded=refunded,
            )
        )
    return "\n".join(lines)


def jobs_text(snapshot: JobsSnapshot, t: Texts) -> str:
    lines = [t("jobs_header", running=len(snapshot.running), queued=len(snapshot.queued))]
    lines += _listed(snapshot.running, "jobs_running_line", t, lambda job: job.started_at)
    lines += _listed(snapshot.queued, "jobs_queued_line", t, lambda job: job.created_at)
    lines.append(t("jobs_failures" if snapshot.failures else "jobs_no_failures"))
    for job in snapshot.failures:
        lines.append(
            t(
                "jobs_failure_line",
                at=at(job.finished_at),
                id=job.id[:8],
                user=job.user_id,
                description=_title(job, t),
                error=short(job.error, ERROR_LIMIT) if job.error else "—",
            )
        )
    return "\n".join(lines)


def _listed(
    jobs: Iterable[Job], key: str, t: Texts, since: Callable[[Job], datetime | None]
) -> list[str]:
    listed = list(jobs)
    lines = [
        t(key, id=job.id[:8], user=job.user_id, at=at(since(job)), description=_title(job, t))
        for job in listed[:LISTED]
    ]
    if len(listed) > LISTED:
        lines.append(t("jobs_more", count=len(listed) - LISTED))
    return lines


def _page_line(job: Job, t: Texts) -> str:
    line = t(
        "user_report_page",
        at=at(job.created_at),
        state=t(f"jobs_state_{job.state.value}"),
        description=_title(job, t),
    )
    return f"{line} — {short(job.error, ERROR_LIMIT)}" if job.error else line


def _title(job: Job, t: Texts) -> str:
    return short(job.description) if job.description else t("photo_title")


def _seconds(value: float | None, t: Texts) -> str:
    return "—" if value is None else t("stats_seconds", value=f"{value:.1f}")


def _currency(code: str, t: Texts) -> str:
    return {STARS: t("stats_stars"), "RUB": t("stats_rub")}.get(code, code)
