"""What the fake server remembers, and the Bot API methods that read and change it.

Every method handler runs with `BotApiState.cond` held (getUpdates releases it while it waits).
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from . import objects
from .objects import JSON, Profile
from .wire import Files

MAX_TEXT = 4096
MAX_CAPTION = 1024
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
Handler = Callable[[dict[str, object], Files], object]


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{status} {description}")
        self.status, self.description, self.retry_after = status, description, retry_after

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return None


def truthy(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "1")


@dataclass(frozen=True)
class Call:
    """One request the bot made. `params` come from the query string and body as sent (telebot
    sends everything as strings; booleans as "True"/"False"), with JSON-string parameters such as
    reply_markup, media and commands decoded. `status` is 200, the error code, or 0 if dropped."""

    method: str
    params: dict[str, object]
    files: Files
    at: float
    status: int = 200
    result: object = None
    http_method: str = "POST"

    @property
    def chat_id(self) -> int | None:
        return as_int(self.params.get("chat_id"))

    def media_files(self) -> list[tuple[str, bytes] | str]:
        """sendMediaGroup: each item's upload (filename, bytes), or its file_id / URL string."""
        media = self.params.get("media")
        items = media if isinstance(media, list) else []
        resolved: list[tuple[str, bytes] | str] = []
        for item in items:
            ref = str(item.get("media", "")) if isinstance(item, dict) else ""
            name = ref.removeprefix("attach://")
            resolved.append(self.files[name] if ref.startswith("attach://") else ref)
        return resolved


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    content: bytes
    width: int = 0
    height: int = 0

    def photo_size(self, width: int, height: int) -> JSON:
        size = len(self.content) or width * height // 8
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": size,
            "width": width,
            "height": height,
        }


@dataclass
class BotApiState:
    token: str
    bot_username: str
    bot_first_name: str
    cond: threading.Condition = field(
        default_factory=lambda: threading.Condition(threading.RLock())
    )
    updates: list[JSON] = field(default_factory=list)
    messages: dict[tuple[int, int], JSON] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    profiles: dict[int, Profile] = field(default_factory=dict)
    callbacks: dict[str, int] = field(default_factory=dict)  # callback_query id -> user id
    checkouts: dict[str, int] = field(default_factory=dict)  # pre_checkout_query id -> user id
    commands: dict[str, list[JSON]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    gone: set[int] = field(default_factory=set)  # chats that answer 400 "chat not found"
    copies: list[JSON] = field(default_factory=list)  # accepted copyMessage calls (copying.py)
    edits: list[JSON] = field(default_factory=list)  # accepted edits of text, caption, buttons
    pushed: dict[int, tuple[int, int]] = field(default_factory=dict)  # update id -> message key
    webhook_deleted: bool = False
    stopped: bool = False
    changes: int = 0  # bumped (with notify_all) on every change; wait_for watches it
    poll_generation: int = 0
    polls_waiting: int = 0
    next_update_id: int = 1
    last_message_id: int = 0  # message ids are unique across chats (a real chat numbers its own)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def bot_user(self) -> JSON:
        head = self.token.split(":", 1)[0]
        bot_id = int(head) if head.isdigit() else 1
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def changed(self) -> None:
        self.changes += 1
        self.cond.notify_all()

    def serial(self) -> int:
        return next(self._serial)

    # ---- building blocks -------------------------------------------------------------------

    def profile(self, user_id: int, given: Profile) -> Profile:
        stored = self.profiles.setdefault(user_id, {"first_name": "Аня", "language_code": "ru"})
        stored.update({k: v for k, v in given.items() if v is not None})  # type: ignore[typeddict-item]
        return stored

    def push_update(self, update: JSON) -> int:
        """Queue an update; a message it carries becomes known (copyMessage can find it)."""
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates.append({"update_id": update_id, **update})
        key = self.remember(update.get("message"))
        if key is not None:
            self.pushed[update_id] = key
        self.changed()
        return update_id

    def remember(self, message: object) -> tuple[int, int] | None:
        """Keep a message built outside `message()` (a raw update's), unless its id is taken;
        later ids go past it. Its (chat id, message id), None when it has none."""
        if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
            return None
        chat_id, message_id = as_int(message["chat"].get("id")), as_int(message.get("message_id"))
        if chat_id is None or message_id is None:
            return None
        self.messages.setdefault((chat_id, message_id), copy.deepcopy(message))
        self.last_message_id = max(self.last_message_id, message_id)
        return chat_id, message_id

    def message(self, chat_id: int, sender: JSON, content: JSON) -> JSON:
        self.last_message_id += 1
        msg: JSON = {
            "message_id": self.last_message_id,
            "from": sender,
            "chat": objects.chat(chat_id, self.profiles.get(chat_id)),
            "date": objects.now(),
            **content,
        }
        self.messages[(chat_id, msg["message_id"])] = msg
        return msg

    def store_file(
        self, kind: str, file_name: str, content: bytes, *, file_id: str | None = None
    ) -> StoredFile:
        n = self.serial()
        suffix = PurePosixPath(file_name).suffix
        width, height = objects.image_size(content) or (0, 0)
        stored = StoredFile(
            file_id=file_id or f"fake-{kind}-{n:05d}",
            file_unique_id=f"uniq-{kind}-{n:05d}",
            file_path=f"{kind}s/file_{n}{suffix}",
            file_name=file_name,
            content=content,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        return stored

    def photo_sizes(self, source: StoredFile, default: tuple[int, int] = (1280, 960)) -> list[JSON]:
        """Thumbnails get their own file ids; the largest size is `source` itself."""
        width, height = (source.width, source.height) if source.width else default
        sizes = objects.scaled_sizes(width, height)
        result = []
        for w, h in sizes[:-1]:
            thumb = self.store_file("photo", source.file_name, source.content)
            result.append(thumb.photo_size(w, h))
        result.append(source.photo_size(*sizes[-1]))
        return result

    def resolve(self, ref: object, files: Files, kind: str, what: str) -> StoredFile:
        """An upload (`attach://part`), a known file_id, or an unknown file_id / URL (accepted)."""
        if not isinstance(ref, str) or not ref:
            raise ApiError(400, f"Bad Request: there is no {what} in the request")
        if ref.startswith("attach://"):
            part = ref.removeprefix("attach://")
            if part not in files:
                raise ApiError(400, f"Bad Request: file attach://{part} is missing in the request")
            name, content = files[part]
            if not content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self.store_file(kind, name, content)
        if ref in self.files:
            return self.files[ref]
        name = ref.rsplit("/", 1)[-1] if "://" in ref else "file"
        return self.store_file(kind, name, b"", file_id=ref)

    def media_content(self, kind: str, source: StoredFile) -> JSON:
        if kind == "photo":
            return {"photo": self.photo_sizes(source)}
        if kind == "document":
            return {"document": document_json(source)}
        raise ApiError(400, f"Bad Request: the fake does not support {kind} media")

    # ---- bot side: helpers the handlers share -----------------------------------------------

    def chat_id(self, params: dict[str, object]) -> int:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = as_int(raw)
        if not chat_id:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.gone:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def bot_message(self, params: dict[str, object], content: JSON) -> JSON:
        chat_id = self.chat_id(params)
        caption = params.get("caption")
        if isinstance(caption, str) and caption:
            if len(caption) > MAX_CAPTION:
                raise ApiError(400, "Bad Request: message caption is too long")
            content["caption"] = caption
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            content["reply_markup"] = markup  # Telegram echoes inline keyboards only
        return copy.deepcopy(self.message(chat_id, self.bot_user, content))

    def editable(self, params: dict[str, object], verb: str = "edit") -> JSON:
        chat_id, message_id = as_int(params.get("chat_id")), as_int(params.get("message_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        self.chat_id(params)  # a gone or blocked chat refuses edits and deletions too
        stored = self.messages.get((chat_id, message_id))
        if stored is None:
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        if verb == "edit" and (stored.get("from") or {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return stored

    def edited(self, method: str, stored: JSON) -> JSON:
        """Note an accepted edit (for `FakeBotAPI.edits_to`); the message as it now reads."""
        self.edits.append(
            {
                "method": method,
                "chat_id": stored["chat"]["id"],
                "message_id": stored["message_id"],
                "text": stored.get("text"),
                "caption": stored.get("caption"),
                "reply_markup": copy.deepcopy(stored.get("reply_markup")),
            }
        )
        return copy.deepcopy(stored)


def document_json(source: StoredFile) -> JSON:
    return {
        "file_id": source.file_id,
        "file_unique_id": source.file_unique_id,
        "file_name": source.file_name,
        "mime_type": objects.guess_mime(source.file_name),
        "file_size": len(source.content) or 1024,
    }


def file_json(source: StoredFile) -> dict[str, Any]:
    return {
        "file_id": source.file_id,
        "file_unique_id": source.file_unique_id,
        "file_size": len(source.content),
        "file_path": source.file_path,
    }
