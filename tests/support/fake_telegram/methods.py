"""The Bot API methods the fake implements, as `name -> handler(params, files)` (webhooks are in
webhooks.py, Stars in stars.py, copyMessage in copying.py)."""

from __future__ import annotations

import copy

from . import objects
from .objects import JSON
from .state import (
    CHAT_ACTIONS,
    COMMAND,
    MAX_TEXT,
    NOT_MODIFIED,
    ApiError,
    BotApiState,
    Handler,
    as_int,
    document_json,
    file_json,
)
from .wire import Files

Params = dict[str, object]


def _text(params: Params) -> str:
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return text


def _inline_markup(params: Params) -> object:
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def handlers(s: BotApiState) -> dict[str, Handler]:
    def get_me(params: Params, files: Files) -> JSON:
        return {**s.bot_user, "can_join_groups": True, "can_read_all_group_messages": False}

    def get_updates(params: Params, files: Files) -> list[JSON]:
        offset = as_int(params.get("offset")) or 0
        limit = min(max(as_int(params.get("limit")) or 100, 1), 100)
        try:
            timeout = max(float(str(params.get("timeout", 0))), 0.0)
        except ValueError:
            timeout = 0.0
        if offset > 0:  # confirms (forgets) every update before `offset`
            s.updates[:] = [u for u in s.updates if u["update_id"] >= offset]
        elif offset < 0:  # only the last -offset updates survive
            s.updates[:] = s.updates[offset:]
        s.poll_generation += 1
        mine = s.poll_generation
        s.polls_waiting += 1
        s.changed()
        try:
            s.cond.wait_for(
                lambda: bool(s.updates) or s.stopped or s.poll_generation != mine, timeout=timeout
            )
        finally:
            s.polls_waiting -= 1
        if s.poll_generation != mine:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return copy.deepcopy(s.updates[:limit])

    def send_message(params: Params, files: Files) -> JSON:
        content: JSON = {"text": _text(params)}
        return s.bot_message(params, content)

    def send_photo(params: Params, files: Files) -> JSON:
        ref = "attach://photo" if "photo" in files else params.get("photo")
        source = s.resolve(ref, files, "photo", "photo")
        return s.bot_message(params, {"photo": s.photo_sizes(source)})

    def send_document(params: Params, files: Files) -> JSON:
        ref = "attach://document" if "document" in files else params.get("document")
        source = s.resolve(ref, files, "document", "document")
        return s.bot_message(params, {"document": document_json(source)})

    def send_media_group(params: Params, files: Files) -> list[JSON]:
        s.chat_id(params)
        media = params.get("media")
        if not isinstance(media, list) or not all(isinstance(m, dict) for m in media):
            raise ApiError(400, "Bad Request: can't parse media JSON object")
        if not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: media group must contain 2-10 items")
        kinds = {str(item.get("type")) for item in media}
        if "document" in kinds and len(kinds) > 1:
            raise ApiError(400, "Bad Request: document can't be mixed with other media types")
        group_id = str(10**13 + s.serial())
        sent = []
        for item in media:
            kind = str(item.get("type"))
            source = s.resolve(item.get("media"), files, kind, "media")
            content = {"media_group_id": group_id, **s.media_content(kind, source)}
            sent.append(s.bot_message({**params, "caption": item.get("caption")}, content))
        return sent

    def send_chat_action(params: Params, files: Files) -> bool:
        s.chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def edit_message_text(params: Params, files: Files) -> JSON | bool:
        text = _text(params)
        if params.get("inline_message_id"):
            return True
        stored = s.editable(params)
        if "text" not in stored:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = _inline_markup(params)
        if stored["text"] == text and stored.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        stored["text"] = text
        _set_markup(stored, markup)
        return s.edited("editMessageText", stored)

    def edit_message_caption(params: Params, files: Files) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        stored = s.editable(params)
        caption, markup = params.get("caption"), _inline_markup(params)
        if stored.get("caption") == caption and stored.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        if isinstance(caption, str) and caption:
            stored["caption"] = caption
        else:
            stored.pop("caption", None)
        _set_markup(stored, markup)
        return s.edited("editMessageCaption", stored)

    def edit_message_reply_markup(params: Params, files: Files) -> JSON | bool:
        if params.get("inline_message_id"):
            return True
        stored = s.editable(params)
        markup = _inline_markup(params)
        if stored.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        _set_markup(stored, markup)
        return s.edited("editMessageReplyMarkup", stored)

    def delete_message(params: Params, files: Files) -> bool:
        stored = s.editable(params, "delete")
        del s.messages[(stored["chat"]["id"], stored["message_id"])]
        return True

    def answer_callback_query(params: Params, files: Files) -> bool:
        if str(params.get("callback_query_id")) not in s.callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        return True

    def set_my_commands(params: Params, files: Files) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND.fullmatch(str(command.get("command"))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        s.commands[str(params.get("language_code") or "")] = commands
        return True

    def get_my_commands(params: Params, files: Files) -> list[JSON]:
        return copy.deepcopy(s.commands.get(str(params.get("language_code") or ""), []))

    def delete_my_commands(params: Params, files: Files) -> bool:
        s.commands.pop(str(params.get("language_code") or ""), None)
        return True

    def get_file(params: Params, files: Files) -> JSON:
        stored = s.files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return file_json(stored)

    return {
        "getMe": get_me,
        "getUpdates": get_updates,
        "sendMessage": send_message,
        "sendPhoto": send_photo,
        "sendDocument": send_document,
        "sendMediaGroup": send_media_group,
        "sendChatAction": send_chat_action,
        "editMessageText": edit_message_text,
        "editMessageCaption": edit_message_caption,
        "editMessageReplyMarkup": edit_message_reply_markup,
        "deleteMessage": delete_message,
        "answerCallbackQuery": answer_callback_query,
        "setMyCommands": set_my_commands,
        "getMyCommands": get_my_commands,
        "deleteMyCommands": delete_my_commands,
        "getFile": get_file,
    }


def _set_markup(stored: JSON, markup: object) -> None:
    stored["edit_date"] = objects.now()
    if markup is None:
        stored.pop("reply_markup", None)
    else:
        stored["reply_markup"] = markup
