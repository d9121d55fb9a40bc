"""The broadcast's wording and buttons: the preview panel, the status message, the tally."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..domain.broadcasts import (
    AUDIENCES,
    Broadcast,
    BroadcastCounts,
    BroadcastId,
    BroadcastState,
    paid_cost_stars,
    progress,
)
from ..domain.messages import InlineButton, InlineKeyboard
from .texts import Texts

# Button data, read back by Broadcasting.press (admins only; never trusted):
#   bc:aud:<audience>  choose the audience       bc:send   confirm      bc:drop  drop the draft
#   bc:stop:<id>       ask to stop a broadcast   bc:halt:<id>  stop it  bc:keep  don't
BROADCAST_PREFIX = "bc:"
AUDIENCE = f"{BROADCAST_PREFIX}aud:"
SEND = f"{BROADCAST_PREFIX}send"
DROP = f"{BROADCAST_PREFIX}drop"
STOP = f"{BROADCAST_PREFIX}stop:"
HALT = f"{BROADCAST_PREFIX}halt:"
KEEP = f"{BROADCAST_PREFIX}keep"


def panel_keyboard(t: Texts, chosen: str) -> InlineKeyboard:
    """The audience buttons (the chosen one ticked) and «Send to all» / «Cancel»."""
    audiences = tuple(
        InlineButton(
            ("✓ " if key == chosen else "") + t(f"broadcast_button_{key}"), f"{AUDIENCE}{key}"
        )
        for key in AUDIENCES
    )
    confirm = (
        InlineButton(t("broadcast_send_button"), SEND),
        InlineButton(t("broadcast_drop_button"), DROP),
    )
    return InlineKeyboard(rows=(audiences[:2], audiences[2:], confirm))


def panel_text(t: Texts, *, audience: str, count: int, paid: bool) -> str:
    cost = t("broadcast_cost", stars=paid_cost_stars(count)) if paid else ""
    return t(
        "broadcast_preview", audience=t(f"broadcast_audience_{audience}"), count=count, cost=cost
    )


def stop_keyboard(t: Texts, broadcast_id: BroadcastId) -> InlineKeyboard:
    return InlineKeyboard(rows=((InlineButton(t("broadcast_stop_button"), STOP + broadcast_id),),))


def halt_keyboard(t: Texts, broadcast_id: BroadcastId) -> InlineKeyboard:
    return InlineKeyboard(
        rows=(
            (
                InlineButton(t("broadcast_halt_button"), HALT + broadcast_id),
                InlineButton(t("broadcast_keep_button"), KEEP),
            ),
        )
    )


def status_text(t: Texts, broadcast: Broadcast, counts: BroadcastCounts, now: datetime) -> str:
    """Sent, blocked, failed, remaining; while it runs, the rate and the time left too."""
    text = t(
        "broadcast_status",
        state=t(f"broadcast_state_{broadcast.state.value}"),
        sent=counts.sent,
        total=counts.total,
        blocked=counts.blocked,
        failed=counts.failed,
        remaining=counts.pending,
    )
    if broadcast.state is BroadcastState.RUNNING:
        seen = progress(counts, started_at=broadcast.started_at, now=now)
        eta = t("broadcast_eta_unknown") if seen.eta is None else duration(t, seen.eta)
        text += t("broadcast_pace", rate=f"{seen.rate:.1f}", eta=eta)
    return text


def final_text(t: Texts, broadcast: Broadcast, counts: BroadcastCounts) -> str:
    key = "broadcast_final" if broadcast.state is BroadcastState.DONE else "broadcast_cancelled"
    return t(
        key,
        sent=counts.sent,
        total=counts.total,
        blocked=counts.blocked,
        failed=counts.failed,
        remaining=counts.pending,
    )


def duration(t: Texts, span: timedelta) -> str:
    """ "45 s", "3 min 20 s", "1 h 5 min"."""
    seconds = max(0, round(span.total_seconds()))
    if seconds < 60:
        return t("seconds_short", n=seconds)
    if seconds < 3600:
        return t("minutes_short", m=seconds // 60, s=seconds % 60)
    return t("hours_short", h=seconds // 3600, m=seconds % 3600 // 60)
