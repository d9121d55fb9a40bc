"""FakeBotAPI: simulated users on one side, a recording Bot API over real HTTP on the other."""

from __future__ import annotations

import contextlib
import copy
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Unpack

from . import copying, objects, stars, webhooks
from .methods import handlers
from .objects import JSON, Profile
from .state import ApiError, BotApiState, Call, StoredFile, as_int
from .wire import HttpServer, Reply, Request

JSON_PARAMS = frozenset(
    {"reply_markup", "media", "commands", "allowed_updates", "scope", "prices", "entities"}
    | {"caption_entities", "reply_parameters", "link_preview_options", "message_ids"}
)
_BOT_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)/?")
_FILE_PATH = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)")
_CHAT_PREFIXES = ("send", "edit", "answer", "delete", "copy", "forward")
_NOT_CHAT_METHODS = frozenset({"deleteWebhook", "deleteMyCommands"})
_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass
class _Fault:
    method: str  # lower-case method name, or "*"
    chat_id: int | None
    remaining: int | None  # None: forever
    error: ApiError | None  # None: drop the connection
    after: bool = False  # drop it only after the call took effect (the answer is lost)


def _decode(params: dict[str, object]) -> dict[str, object]:
    decoded = dict(params)
    for key in JSON_PARAMS & decoded.keys():
        value = decoded[key]
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                decoded[key] = json.loads(value)
    return decoded


class FakeBotAPI:
    """A Telegram Bot API server on 127.0.0.1 for tests; see tests/contract/test_fake_telegram.py.

    Binds a free port at construction; `start()` serves on a daemon thread, `stop()` (or leaving
    the `with` block) wakes pending long polls and closes every connection."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "paint_test_bot",
        *,
        bot_first_name: str = "PaintBot",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.latency = 0.0  # seconds added to every request
        self._state = BotApiState(token, bot_username, bot_first_name)
        self._stars = stars.StarBook()
        self._cond = self._state.cond
        # setWebhook & co., and the thread that delivers updates while one is set (webhooks.py).
        self.webhook = webhooks.Webhook(self._state)
        basic = handlers(self._state)
        methods = {
            **basic,
            **stars.handlers(self._state, self._stars),
            **copying.handlers(self._state),
            **self.webhook.handlers(basic["getUpdates"]),
        }
        self._handlers = {name.lower(): (name, fn) for name, fn in methods.items()}
        self._calls: list[Call] = []
        self._attempts: list[Call] = []
        self._faults: list[_Fault] = []
        self._http = HttpServer(host, port, self._handle)
        self.base_url = f"http://{host}:{self._http.port}"
        self.api_url = self.base_url + "/bot{0}/{1}"  # for telebot.apihelper.API_URL
        self.file_url = self.base_url + "/file/bot{0}/{1}"  # for telebot.apihelper.FILE_URL

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeBotAPI:
        self._http.start()
        self.webhook.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._state.stopped = True
            self._state.changed()
        self._http.stop()
        self.webhook.stop()

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- simulated users ---------------------------------------------------------------------
    # Profile keywords (first_name, last_name, username, language_code) stick to the user id:
    # given once, later pushes reuse them. Defaults: first_name "Аня", language_code "ru".

    def push_text(self, user_id: int, text: str, **profile: Unpack[Profile]) -> int:
        content: JSON = {"text": text}
        if entities := objects.command_entities(text):
            content["entities"] = entities
        return self._push_message(user_id, profile, content)

    def push_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        content: bytes = b"",
        width: int = 1280,
        height: int = 960,
        **profile: Unpack[Profile],
    ) -> int:
        """`content` (optional) is what getFile + download returns; its PNG/JPEG size wins."""
        with self._cond:
            source = self._state.store_file("photo", "photo.jpg", content)
            body: JSON = {"photo": self._state.photo_sizes(source, (width, height))}
            if caption is not None:
                body["caption"] = caption
            return self._push_message(user_id, profile, body)

    def push_document(
        self,
        user_id: int,
        *,
        file_name: str = "a.pdf",
        content: bytes = b"%PDF-1.4 fake",
        caption: str | None = None,
        **profile: Unpack[Profile],
    ) -> int:
        with self._cond:
            source = self._state.store_file("document", file_name, content)
            body: JSON = {"document": self._state.media_content("document", source)["document"]}
            if caption is not None:
                body["caption"] = caption
            return self._push_message(user_id, profile, body)

    def push_sticker(
        self,
        user_id: int,
        *,
        emoji: str = "🎨",
        set_name: str = "PaintTestPack",
        **profile: Unpack[Profile],
    ) -> int:
        with self._cond:
            source = self._state.store_file("sticker", "sticker.webp", b"RIFF fake webp")
            thumb = self._state.store_file("photo", "thumb.webp", b"RIFF fake thumb")
            sticker = objects.sticker(
                source.file_id,
                source.file_unique_id,
                thumb.photo_size(128, 128),
                emoji=emoji,
                set_name=set_name,
            )
            return self._push_message(user_id, profile, {"sticker": sticker})

    def push_voice(
        self,
        user_id: int,
        *,
        duration: int = 2,
        content: bytes = b"OggS fake voice",
        **profile: Unpack[Profile],
    ) -> int:
        with self._cond:
            source = self._state.store_file("voice", "voice.ogg", content)
            voice = {
                "file_id": source.file_id,
                "file_unique_id": source.file_unique_id,
                "duration": duration,
                "mime_type": "audio/ogg",
                "file_size": len(content),
            }
            return self._push_message(user_id, profile, {"voice": voice})

    def push_callback(
        self, user_id: int, data: str, *, message_id: int | None = None, **profile: Unpack[Profile]
    ) -> int:
        """A button press on `message_id` (default: the bot's latest message in this chat; a
        placeholder bot message if there is none). The query id is `callback_query_id(update_id)`."""
        with self._cond:
            state = self._state
            prof = state.profile(user_id, profile)
            bot_id = state.bot_user["id"]
            mine = [
                k[1]
                for k, m in state.messages.items()
                if k[0] == user_id and (m.get("from") or {}).get("id") == bot_id
            ]
            message_id = message_id if message_id is not None else max(mine, default=None)
            message = state.messages.get((user_id, message_id)) if message_id is not None else None
            if message is None:
                message = state.message(user_id, state.bot_user, {"text": "…"})
                if message_id is not None:  # a placeholder under the id the test asked for
                    del state.messages[(user_id, message["message_id"])]
                    message["message_id"] = message_id
                    state.messages[(user_id, message_id)] = message
                    state.last_message_id = max(state.last_message_id, message_id)
            query_id = self.callback_query_id(state.next_update_id)
            state.callbacks[query_id] = user_id
            query = {
                "id": query_id,
                "from": objects.user(user_id, prof),
                "message": copy.deepcopy(message),
                "chat_instance": str(-1_000_000 - user_id),
                "data": data,
            }
            return state.push_update({"callback_query": query})

    def push_pre_checkout(
        self,
        user_id: int,
        payload: str,
        total_amount: int,
        *,
        currency: str = "XTR",
        **profile: Unpack[Profile],
    ) -> int:
        """A pre_checkout_query (answer with answerPreCheckoutQuery); id = callback_query_id(update_id)."""
        with self._cond:
            prof = self._state.profile(user_id, profile)
            query_id = self.callback_query_id(self._state.next_update_id)
            self._state.checkouts[query_id] = user_id
            query = {
                "id": query_id,
                "from": objects.user(user_id, prof),
                "currency": currency,
                "total_amount": total_amount,
                "invoice_payload": payload,
            }
            return self._state.push_update({"pre_checkout_query": query})

    def push_successful_payment(
        self,
        user_id: int,
        payload: str,
        total_amount: int,
        *,
        currency: str = "XTR",
        charge_id: str | None = None,
        **profile: Unpack[Profile],
    ) -> int:
        """A message with successful_payment; the charge is listed by getStarTransactions (Stars
        only) and can then be refunded once, by this user."""
        with self._cond:
            charge = charge_id or self._charge_id()
            if currency == stars.STARS and charge not in self._stars.charges:
                sender = objects.user(user_id, self._state.profile(user_id, profile))
                self._stars.charge(sender, payload, total_amount, charge, None)
            payment = {
                "currency": currency,
                "total_amount": total_amount,
                "invoice_payload": payload,
                "telegram_payment_charge_id": charge,
                "provider_payment_charge_id": "",
            }
            return self._push_message(user_id, profile, {"successful_payment": payment})

    def add_star_payment(
        self,
        user_id: int,
        payload: str,
        amount: int,
        charge_id: str | None = None,
        *,
        date: int | None = None,
        **profile: Unpack[Profile],
    ) -> str:
        """A Stars payment that reached the bot's balance but never the bot as an update (what
        reconciliation must find); `date` is unix time (default now). Returns the charge id."""
        with self._cond:
            charge = charge_id or self._charge_id()
            sender = objects.user(user_id, self._state.profile(user_id, profile))
            self._stars.charge(sender, payload, amount, charge, date)
            self._state.changed()
            return charge

    def add_star_transaction(self, transaction: JSON) -> None:
        """Any raw StarTransaction (a withdrawal to Fragment, an ads payment...), listed as is."""
        with self._cond:
            self._stars.transactions.append(copy.deepcopy(transaction))
            self._state.changed()

    def push_update(self, update: JSON) -> int:
        """Any raw update (without update_id, which is assigned and returned)."""
        with self._cond:
            return self._state.push_update(copy.deepcopy(update))

    def _charge_id(self) -> str:
        return f"stxFakeCharge{self._state.serial():06d}"

    @staticmethod
    def callback_query_id(update_id: int) -> str:
        return str(4_000_000_000_000 + update_id)

    def _push_message(self, user_id: int, profile: Profile, content: JSON) -> int:
        with self._cond:
            sender = objects.user(user_id, self._state.profile(user_id, profile))
            message = self._state.message(user_id, sender, content)
            return self._state.push_update({"message": copy.deepcopy(message)})

    # ---- what the bot did ----------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Successful requests, in arrival order."""
        with self._cond:
            return list(self._calls)

    @property
    def attempts(self) -> list[Call]:
        """Every request, failed (status = error code) and dropped (status 0) ones included."""
        with self._cond:
            return list(self._attempts)

    def calls_of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if c.method.lower() == method.lower()]

    def sent_to(self, chat_id: int) -> list[Call]:
        """Successful send*/edit*/answer*/delete* calls aimed at `chat_id` (answerCallbackQuery
        counts for the user who pressed the button)."""
        with self._cond:
            return [c for c in self._calls if self._target(c) == chat_id]

    def texts_to(self, chat_id: int) -> list[str]:
        """The text of every sendMessage / editMessageText to `chat_id`, in order."""
        methods = ("sendMessage", "editMessageText")
        return [str(c.params["text"]) for c in self.sent_to(chat_id) if c.method in methods]

    def invoices_to(self, chat_id: int) -> list[JSON]:
        """Every invoice sendInvoice accepted for `chat_id`, in order: chat_id, message_id, title,
        description, payload, currency, prices ([{label, amount}]), provider_token."""
        with self._cond:
            return [copy.deepcopy(i) for i in self._stars.invoices if i["chat_id"] == chat_id]

    @property
    def pre_checkout_answers(self) -> dict[str, JSON]:
        """pre_checkout_query id -> the accepted answer: {user_id, ok, error_message (None if
        ok)}; a query answered twice keeps its first answer (the second is refused)."""
        with self._cond:
            return copy.deepcopy(self._stars.answers)

    @property
    def refunds(self) -> list[JSON]:
        """Accepted refundStarPayment calls, in order: {user_id, charge_id}."""
        with self._cond:
            return copy.deepcopy(self._stars.refunds)

    def refunded(self, charge_id: str) -> bool:
        with self._cond:
            charge = self._stars.charges.get(charge_id)
            return charge is not None and charge.refunded_at is not None

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """A message as it is now (after edits), or None if deleted / unknown."""
        with self._cond:
            found = self._state.messages.get((chat_id, message_id))
            return copy.deepcopy(found)

    def message_id_of(self, update_id: int) -> int | None:
        """The message id of the message a push_* (or a raw update) carried, None if it had none."""
        with self._cond:
            key = self._state.pushed.get(update_id)
            return key[1] if key is not None else None

    def copies(self) -> list[JSON]:
        """Accepted copyMessage calls, in order: {chat_id, from_chat_id, message_id (the source's),
        allow_paid_broadcast (bool), new_message_id}; the copy itself is `message(chat_id,
        new_message_id)`."""
        with self._cond:
            return copy.deepcopy(self._state.copies)

    def copies_to(self, chat_id: int) -> list[JSON]:
        """The accepted copies into one chat, in order (as `copies()` lists them)."""
        return [c for c in self.copies() if c["chat_id"] == chat_id]

    def edits(self) -> list[JSON]:
        """Accepted editMessageText / editMessageCaption / editMessageReplyMarkup calls that
        changed something, in order: {method, chat_id, message_id, text, caption, reply_markup}
        as the message read after the edit (None where it has none)."""
        with self._cond:
            return copy.deepcopy(self._state.edits)

    def edits_to(self, chat_id: int) -> list[JSON]:
        """The accepted edits of messages in one chat, in order (as `edits()` lists them)."""
        return [e for e in self.edits() if e["chat_id"] == chat_id]

    def file(self, file_id: str) -> StoredFile | None:
        with self._cond:
            return self._state.files.get(file_id)

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._cond:
            return copy.deepcopy(self._state.updates)

    @property
    def polls_waiting(self) -> int:
        """getUpdates requests waiting inside the fake right now (long polls with nothing to say)."""
        with self._cond:
            return self._state.polls_waiting

    @property
    def webhook_deleted(self) -> bool:
        with self._cond:
            return self._state.webhook_deleted

    @property
    def commands(self) -> dict[str, list[JSON]]:
        with self._cond:
            return copy.deepcopy(self._state.commands)

    def wait_for(self, predicate: Callable[[FakeBotAPI], bool], timeout: float = 10.0) -> bool:
        """Poll `predicate` (evaluated without the fake's lock held) until true; False on timeout.
        Wakes on every request or push, and at least every 50 ms for outside state."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                seen = self._state.changes
            if predicate(self):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._cond:
                if self._state.changes == seen:
                    self._cond.wait(min(remaining, 0.05))

    def wait_calls(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """At least `count` successful calls of `method`; AssertionError (listing the calls so
        far) on timeout."""
        if not self.wait_for(lambda f: len(f.calls_of(method)) >= count, timeout):
            seen = [(c.method, c.status) for c in self.attempts]
            raise AssertionError(f"expected {count} {method} call(s) within {timeout}s; got {seen}")
        return self.calls_of(method)

    # ---- failure injection ------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        chat_id: int | None = None,
    ) -> None:
        """The next `times` calls of `method` ("*" = any; None = forever), to `chat_id` if given,
        fail with `status`. 429 carries parameters.retry_after (default 1); other statuses only
        when retry_after is given. Descriptions default to Telegram's usual ones."""
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = _DESCRIPTIONS.get(status, f"Error {status}")
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
        self._add_fault(method, times, chat_id, ApiError(status, description, retry_after))

    def drop_connection(
        self, method: str, times: int | None = 1, *, chat_id: int | None = None
    ) -> None:
        """The next `times` calls of `method` get the socket closed without a response."""
        self._add_fault(method, times, chat_id, None)

    def lose_answer(
        self, method: str, times: int | None = 1, *, chat_id: int | None = None
    ) -> None:
        """The next `times` calls of `method` take effect, then the socket is closed without a
        response (recorded in `attempts` with status 0): a retry meets its own first try."""
        self._add_fault(method, times, chat_id, None, after=True)

    def rate_limit(
        self, chat_id: int, retry_after: int, *, times: int | None = 1, method: str = "*"
    ) -> None:
        """The next `times` calls aimed at `chat_id` (of `method`; "*" = any) fail with 429 and
        parameters.retry_after = `retry_after`: `fail` for one chat."""
        self.fail(method, status=429, retry_after=retry_after, times=times, chat_id=chat_id)

    def block(self, user_id: int) -> None:
        """Every later call aimed at `user_id`'s chat fails with 403 "bot was blocked by the user"."""
        with self._cond:
            self._state.blocked.add(user_id)

    def chat_not_found(self, chat_id: int) -> None:
        """Every later call aimed at `chat_id` fails with 400 "chat not found" (a deleted account)."""
        with self._cond:
            self._state.gone.add(chat_id)

    def unblock(self, user_id: int) -> None:
        """Undo `block` and `chat_not_found`."""
        with self._cond:
            self._state.blocked.discard(user_id)
            self._state.gone.discard(user_id)

    def _add_fault(
        self,
        method: str,
        times: int | None,
        chat_id: int | None,
        error: ApiError | None,
        *,
        after: bool = False,
    ) -> None:
        with self._cond:
            self._faults.append(_Fault(method.lower(), chat_id, times, error, after))

    def _take_fault(self, method: str, params: dict[str, object]) -> _Fault | None:
        for fault in self._faults:
            if fault.method not in ("*", method.lower()):
                continue
            if fault.chat_id is not None and as_int(params.get("chat_id")) != fault.chat_id:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            return fault
        return None

    # ---- HTTP ----------------------------------------------------------------------------------

    def _target(self, call: Call) -> int | None:
        if not call.method.startswith(_CHAT_PREFIXES) or call.method in _NOT_CHAT_METHODS:
            return None
        if call.method == "answerCallbackQuery":
            return self._state.callbacks.get(str(call.params.get("callback_query_id")))
        if call.method == "answerPreCheckoutQuery":
            return self._state.checkouts.get(str(call.params.get("pre_checkout_query_id")))
        return call.chat_id

    def _handle(self, request: Request) -> Reply | None:
        arrived = time.monotonic()
        if self.latency > 0:
            time.sleep(self.latency)
        if file_match := _FILE_PATH.fullmatch(request.path):
            return self._download(file_match["token"], file_match["path"])
        match = _BOT_PATH.fullmatch(request.path)
        if match is None:
            return Reply.json(404, ApiError(404, "Not Found").payload())
        params = _decode(request.params)
        name, handler = self._handlers.get(match["method"].lower(), (match["method"], None))

        def record(status: int, result: object = None) -> None:
            call = Call(name, params, request.files, arrived, status, result, request.http_method)
            self._attempts.append(call)
            if status == 200:
                self._calls.append(call)
            self._state.changed()

        with self._cond:
            try:
                if match["token"] != self.token:
                    raise ApiError(401, "Unauthorized")
                fault = self._take_fault(name, params)
                if fault is not None and fault.error is None:
                    if fault.after and handler is not None:
                        handler(params, request.files)
                    record(0)
                    return None
                if fault is not None and fault.error is not None:
                    raise fault.error
                if handler is None:
                    raise ApiError(404, "Not Found: method not found")
                result = handler(params, request.files)
            except ApiError as error:
                record(error.status)
                return Reply.json(error.status, error.payload())
            record(200, result)
        return Reply.json(200, {"ok": True, "result": result})

    def _download(self, token: str, path: str) -> Reply:
        if token != self.token:
            return Reply.json(401, ApiError(401, "Unauthorized").payload())
        with self._cond:
            found = next((f for f in self._state.files.values() if f.file_path == path), None)
        if found is None:
            return Reply.json(404, ApiError(404, "Not Found: file not found").payload())
        return Reply(200, found.content, objects.guess_mime(found.file_name))
