"""UserAdmin: /user, /grant, /ban, /unban, /stats, /jobs; the route table keeps others out."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from ..domain.errors import DeliveryFailed, RecipientBlocked, UserNotFound
from ..domain.users import User, UserId
from ..ports import Messenger, Users
from ..usecases import MAX_GRANT, GrantCredits, JobsReport, SetBanned, Stats, UserReport
from ..usecases.blocking import mark_blocked
from .admin_reports import fit, jobs_text, stats_text, user_text, who
from .events import IncomingMessage
from .texts import Texts, pick_language

log = logging.getLogger(__name__)

# Strict on purpose: an id is ASCII digits (15 of them stay far inside every store's integers),
# a username is "@" and Telegram's letters; anything else is a usage error, never a guess.
_ID = re.compile(r"[0-9]{1,15}")
_USERNAME = re.compile(r"@[A-Za-z0-9_]{1,32}")
_AMOUNT = re.compile(r"[0-9]{1,6}")
REASON_LIMIT = 200


def user_ref(text: str) -> UserId | str | None:
    """An id, a username (without "@"), or None when `text` is neither."""
    if _ID.fullmatch(text):
        return UserId(int(text))
    if _USERNAME.fullmatch(text):
        return text[1:]
    return None


def _words(event: IncomingMessage, most: int = -1) -> list[str]:
    """The words after the command ("/grant@bot 42 5 why" -> ["42", "5", "why"])."""
    return (event.text or "").split(maxsplit=most)[1:]


@dataclass(frozen=True, slots=True)
class UserAdmin:
    users: Users
    grant_credits: GrantCredits
    set_banned: SetBanned
    user_report: UserReport
    stats: Stats
    jobs_report: JobsReport
    messenger: Messenger
    # The longest text the messenger sends as one message (the container gives the platform's).
    max_text_length: int
    admin_ids: frozenset[int] = frozenset()

    def show_user(self, event: IncomingMessage, t: Texts) -> None:
        user = self._target(event, _words(event), t, usage="user_usage")
        if user is not None:
            self._reply(event, user_text(self.user_report(user_id=user.id), t))

    def grant(self, event: IncomingMessage, t: Texts) -> None:
        words = _words(event, most=3)
        amount = words[1] if len(words) > 1 else ""
        reason = words[2].strip() if len(words) > 2 else ""
        if (
            not _AMOUNT.fullmatch(amount)
            or not 1 <= int(amount) <= MAX_GRANT
            or len(reason) > REASON_LIMIT
        ):
            self._reply(event, t("grant_usage", max=MAX_GRANT, reason=REASON_LIMIT))
            return
        user = self._target(event, words[:1], t, usage="grant_usage")
        if user is None:
            return
        try:
            grant = self.grant_credits(
                user_id=user.id, amount=int(amount), update_id=event.update_id
            )
        except UserNotFound:
            self._reply(event, t("user_unknown", who=user.id))
            return
        log.info(
            "admin grant",
            extra={
                "update_id": event.update_id,
                "admin_id": event.sender.id,
                "user_id": user.id,
                "amount": grant.amount,
                "granted": grant.granted,
                "reason": reason,
            },
        )
        if not grant.granted:
            self._reply(event, t("grant_repeated", who=who(user)))
            return
        done = t(
            "grant_done",
            amount=grant.amount,
            who=who(user),
            free=grant.balance.free,
            paid=grant.balance.paid,
        )
        if not self._tell(user, grant.amount, grant.balance.available, reason, t):
            done += "\n" + t("grant_not_told")
        self._reply(event, done)

    def ban(self, event: IncomingMessage, t: Texts) -> None:
        self._set_banned(event, t, banned=True)

    def unban(self, event: IncomingMessage, t: Texts) -> None:
        self._set_banned(event, t, banned=False)

    def show_stats(self, event: IncomingMessage, t: Texts) -> None:
        self._reply(event, stats_text(self.stats(), t))

    def show_jobs(self, event: IncomingMessage, t: Texts) -> None:
        self._reply(event, jobs_text(self.jobs_report(), t))

    def _set_banned(self, event: IncomingMessage, t: Texts, *, banned: bool) -> None:
        verb = "ban" if banned else "unban"
        user = self._target(event, _words(event), t, usage=f"{verb}_usage")
        if user is None:
            return
        if banned and user.id in self.admin_ids:  # they would lose the command that undoes it
            self._reply(event, t("ban_admin"))
            return
        try:
            change = self.set_banned(user_id=user.id, banned=banned)
        except UserNotFound:
            self._reply(event, t("user_unknown", who=user.id))
            return
        key = f"{verb}_done" if change.changed else f"{verb}_already"
        self._reply(event, t(key, who=who(change.user)))

    def _target(
        self, event: IncomingMessage, words: list[str], t: Texts, *, usage: str
    ) -> User | None:
        """The one user `words` name; otherwise the usage or "no such user" is the reply."""
        ref = user_ref(words[0]) if len(words) == 1 else None
        if ref is None:
            self._reply(event, t(usage, max=MAX_GRANT, reason=REASON_LIMIT))
            return None
        user = self.users.get(ref) if isinstance(ref, int) else self.users.find(ref)
        if user is None:
            self._reply(event, t("user_unknown", who=words[0]))
        return user

    def _tell(self, user: User, amount: int, available: int, reason: str, admin: Texts) -> bool:
        """Tell the user about their gift in their language; False when it did not reach them."""
        t = Texts(pick_language(user.language, admin.language))
        text = t("grant_received", amount=amount, available=available)
        if reason:
            text += "\n" + t("grant_reason", reason=reason)
        try:
            self.messenger.send_text(user.id, fit(text, self.max_text_length))
        except RecipientBlocked:
            mark_blocked(self.users, user.id)
            return False
        except DeliveryFailed:
            log.warning("grant notice not delivered", extra={"user_id": user.id}, exc_info=True)
            return False
        return True

    def _reply(self, event: IncomingMessage, text: str) -> None:
        self.messenger.send_text(event.chat_id, fit(text, self.max_text_length))
