"""copyMessage in the fake: a copy of a message the fake knows (one a simulated user sent, a raw
update's, or one the bot sent) becomes a new bot message in the target chat.

Telegram's refusals as Telegram words them: an id never seen in `from_chat_id` is "message to
copy not found"; service messages, invoices, paid media, giveaways, protected content and quizzes
whose answer is unknown are "message can't be copied". A blocked or unknown target chat (see
`FakeBotAPI.block`, `chat_not_found`) and injected faults refuse before anything is copied.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from .objects import JSON
from .state import MAX_CAPTION, ApiError, BotApiState, Handler, as_int, truthy

if TYPE_CHECKING:
    from .wire import Files

NOT_FOUND = "Bad Request: message to copy not found"
CANNOT_COPY = "Bad Request: message can't be copied"
# A message is copied when it holds one of these; anything else (service messages, invoices,
# successful payments, giveaways, paid media...) is refused.
COPYABLE = frozenset(
    {"text", "photo", "video", "animation", "audio", "document", "voice", "video_note"}
    | {"sticker", "contact", "location", "venue", "dice", "poll", "story"}
)
_KEPT = (
    COPYABLE
    | {"entities", "caption", "caption_entities", "link_preview_options"}
    | {
        "show_caption_above_media",
        "has_media_spoiler",
    }
)


def copyable(message: JSON) -> bool:
    if message.get("has_protected_content") or "paid_media" in message:
        return False
    if not COPYABLE & message.keys():
        return False
    poll = message.get("poll")
    if isinstance(poll, dict) and poll.get("type") == "quiz":
        return poll.get("correct_option_id") is not None or bool(poll.get("correct_option_ids"))
    return True


def handlers(s: BotApiState) -> dict[str, Handler]:
    def copy_message(params: dict[str, object], files: Files) -> JSON:
        chat_id = s.chat_id(params)  # an unknown, gone or blocked target first, as for any send
        from_chat_id, message_id = (
            as_int(params.get("from_chat_id")),
            as_int(params.get("message_id")),
        )
        if from_chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        source = s.messages.get((from_chat_id, message_id))
        if source is None:
            raise ApiError(400, NOT_FOUND)
        if not copyable(source):
            raise ApiError(400, CANNOT_COPY)
        content: JSON = {k: copy.deepcopy(v) for k, v in source.items() if k in _KEPT}
        if "caption" in params and "text" not in content:  # a new caption; "" removes it
            caption = params.get("caption")
            content.pop("caption_entities", None)
            if isinstance(caption, str) and caption:
                if len(caption) > MAX_CAPTION:
                    raise ApiError(400, "Bad Request: message caption is too long")
                content["caption"] = caption
            else:
                content.pop("caption", None)
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        message = s.message(chat_id, s.bot_user, content)
        s.copies.append(
            {
                "chat_id": chat_id,
                "from_chat_id": from_chat_id,
                "message_id": message_id,
                "allow_paid_broadcast": truthy(params.get("allow_paid_broadcast")),
                "new_message_id": message["message_id"],
            }
        )
        return {"message_id": message["message_id"]}

    return {"copyMessage": copy_message}
