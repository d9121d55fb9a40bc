"""Webhooks in the fake: setWebhook, deleteWebhook, getWebhookInfo, and delivery as Telegram does.

While a webhook is set, getUpdates is refused (409, in Telegram's words) and a delivery thread
POSTs each pending update, oldest first, to the URL as JSON with the secret token in
`X-Telegram-Bot-Api-Secret-Token`; a 2xx answer confirms (forgets) the update, anything else
(or no answer) is tried again `retry_seconds` later. Updates of kinds left out of
`allowed_updates` are dropped unsent, as Telegram never sends them. The fake behaves as a local
Bot API server here: plain http URLs and any port are accepted.

Handlers run with `BotApiState.cond` held, like the other methods; the thread takes it only to
pick an update and to record how its delivery went, never while it waits for the bot.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import requests

from .objects import JSON
from .state import ApiError, BotApiState, Handler, as_int, truthy

if TYPE_CHECKING:
    from .wire import Files

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


@dataclass
class WebhookSettings:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None  # None: every kind
    max_connections: int = 40
    set_calls: list[JSON] = field(default_factory=list)  # every accepted setWebhook, as sent
    deliveries: list[JSON] = field(default_factory=list)  # {update_id, status}; 0: no answer
    last_error: str | None = None
    resume_at: float = 0.0  # monotonic time of the next attempt after a failure


class Webhook:
    """The fake's webhook: its settings, its Bot API methods and its delivery thread."""

    def __init__(self, state: BotApiState, *, retry_seconds: float = 0.5) -> None:
        self._s = state
        self.book = WebhookSettings()
        self.retry_seconds = retry_seconds
        self._session = requests.Session()
        self._thread = threading.Thread(target=self._deliver, name="fake-webhook", daemon=True)

    # ---- as tests read it (under the fake's lock) ---------------------------------------------

    def info(self) -> JSON:
        """{url, secret_token, allowed_updates, max_connections} as last set ("" url: none)."""
        with self._s.cond:
            b = self.book
            return copy.deepcopy(
                {
                    "url": b.url,
                    "secret_token": b.secret_token,
                    "allowed_updates": b.allowed_updates,
                    "max_connections": b.max_connections,
                }
            )

    def set_calls(self) -> list[JSON]:
        with self._s.cond:
            return copy.deepcopy(self.book.set_calls)

    def deliveries(self) -> list[JSON]:
        """Every delivery attempt, in order: {update_id, status} (0: no answer)."""
        with self._s.cond:
            return copy.deepcopy(self.book.deliveries)

    # ---- the Bot API methods ------------------------------------------------------------------

    def handlers(self, get_updates: Handler) -> dict[str, Handler]:
        s, book = self._s, self.book

        def set_webhook(params: dict[str, object], files: Files) -> bool:
            url = str(params.get("url") or "")
            if url and not url.startswith(("http://", "https://")):
                raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
            secret = params.get("secret_token")
            if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
                raise ApiError(400, "Bad Request: secret token contains unallowed characters")
            allowed = params.get("allowed_updates")
            if allowed is not None and not (
                isinstance(allowed, list) and all(isinstance(a, str) for a in allowed)
            ):
                raise ApiError(400, "Bad Request: can't parse allowed updates")
            book.url = url
            book.secret_token = None if secret is None else str(secret)
            book.allowed_updates = None if allowed is None or allowed == [] else list(allowed)
            book.max_connections = as_int(params.get("max_connections")) or 40
            book.set_calls.append(copy.deepcopy(params))
            book.resume_at = 0.0
            if url:
                s.webhook_deleted = False
            if truthy(params.get("drop_pending_updates")):
                s.updates.clear()
            return True

        def delete_webhook(params: dict[str, object], files: Files) -> bool:
            book.url, book.secret_token = "", None
            s.webhook_deleted = True
            if truthy(params.get("drop_pending_updates")):
                s.updates.clear()
            return True

        def get_webhook_info(params: dict[str, object], files: Files) -> JSON:
            info: JSON = {
                "url": book.url,
                "has_custom_certificate": False,
                "pending_update_count": len(s.updates),
                "max_connections": book.max_connections,
            }
            if book.allowed_updates is not None:
                info["allowed_updates"] = list(book.allowed_updates)
            if book.last_error is not None:
                info["last_error_message"] = book.last_error
            return info

        def get_updates_unless_webhook(params: dict[str, object], files: Files) -> object:
            if book.url:
                raise ApiError(409, CONFLICT)
            return get_updates(params, files)

        return {
            "setWebhook": set_webhook,
            "deleteWebhook": delete_webhook,
            "getWebhookInfo": get_webhook_info,
            "getUpdates": get_updates_unless_webhook,
        }

    # ---- delivery -----------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Call after the state is marked stopped: the thread ends after its current attempt."""
        if self._thread.is_alive():
            self._thread.join(timeout=15)
        self._session.close()

    def _deliver(self) -> None:
        while (picked := self._next()) is not None:
            url, secret, update = picked
            status, error = self._post(url, secret, update)
            with self._s.cond:
                self.book.deliveries.append({"update_id": update["update_id"], "status": status})
                if 200 <= status < 300:
                    self._s.updates[:] = [
                        u for u in self._s.updates if u["update_id"] != update["update_id"]
                    ]
                else:
                    self.book.last_error = error
                    self.book.resume_at = time.monotonic() + self.retry_seconds
                self._s.changed()

    def _next(self) -> tuple[str, str | None, JSON] | None:
        """The next update to send, waiting for one; None once the fake stops."""
        s, book = self._s, self.book
        with s.cond:
            while not s.stopped:
                if book.url and time.monotonic() >= book.resume_at:
                    allowed = book.allowed_updates
                    if allowed is not None:  # Telegram never sends the kinds left out
                        s.updates[:] = [u for u in s.updates if _kind(u) in allowed]
                    if s.updates:
                        return book.url, book.secret_token, copy.deepcopy(s.updates[0])
                s.cond.wait(0.05)
        return None

    def _post(self, url: str, secret: str | None, update: JSON) -> tuple[int, str]:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        try:
            answer = self._session.post(
                url, data=json.dumps(update).encode(), headers=headers, timeout=10
            )
        except requests.RequestException as exc:
            return 0, f"Connection failed: {type(exc).__name__}"
        return answer.status_code, f"Wrong response from the webhook: {answer.status_code}"


def _kind(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")
