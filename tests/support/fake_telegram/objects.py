"""JSON builders for the Bot API objects the fake hands out (users, chats, photos, stickers...).

Only what pyTelegramBotAPI's `de_json` needs plus the fields a real server usually fills in.
"""

from __future__ import annotations

import mimetypes
import struct
import time
from typing import Any, TypedDict

JSON = dict[str, Any]

PHOTO_SIDES = (90, 320, 800, 1280, 2560)


class Profile(TypedDict, total=False):
    """A simulated user's public profile (all keys optional)."""

    first_name: str
    last_name: str
    username: str | None
    language_code: str


def now() -> int:
    return int(time.time())


def user(user_id: int, profile: Profile) -> JSON:
    obj: JSON = {"id": user_id, "is_bot": False, "first_name": profile.get("first_name", "Аня")}
    if profile.get("last_name"):
        obj["last_name"] = profile["last_name"]
    if profile.get("username"):
        obj["username"] = profile["username"]
    if profile.get("language_code"):
        obj["language_code"] = profile["language_code"]
    return obj


def chat(chat_id: int, profile: Profile | None) -> JSON:
    """A private chat with a user (positive id) or a group (negative id)."""
    if chat_id < 0:
        return {"id": chat_id, "type": "group", "title": f"Group {-chat_id}"}
    profile = profile or {}
    obj: JSON = {"id": chat_id, "type": "private", "first_name": profile.get("first_name", "User")}
    for key in ("last_name", "username"):
        if profile.get(key):
            obj[key] = profile[key]
    return obj


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG, or None when the bytes are neither."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:2] != b"\xff\xd8":
        return None
    pos = 2
    while pos + 9 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return None


def scaled_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """The thumbnails Telegram would make: every standard side below the original, then the original
    (capped at 2560)."""
    longest = max(width, height, 1)
    sides = [side for side in PHOTO_SIDES if side < longest] + [min(longest, PHOTO_SIDES[-1])]
    return [
        (max(1, round(width * side / longest)), max(1, round(height * side / longest)))
        for side in sides
    ]


def guess_mime(file_name: str) -> str:
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


def sticker(file_id: str, unique_id: str, thumb: JSON, *, emoji: str, set_name: str) -> JSON:
    return {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "thumbnail": thumb,
        "emoji": emoji,
        "set_name": set_name,
        "file_size": 24_000,
    }


def command_entities(text: str) -> list[JSON]:
    """The bot_command entity Telegram attaches to a message starting with /command."""
    if not text.startswith("/"):
        return []
    length = len(text.split(maxsplit=1)[0])
    return [{"type": "bot_command", "offset": 0, "length": length}]
