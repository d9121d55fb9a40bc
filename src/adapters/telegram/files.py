"""TelegramFiles: the Attachments port: download a file a user sent (getFile, then the file URL)."""

from __future__ import annotations

import telebot

from .api import TelegramCaller


class TelegramFiles:
    def __init__(self, bot: telebot.TeleBot, caller: TelegramCaller) -> None:
        self._bot = bot
        self._call = caller

    def fetch(self, file_id: str) -> bytes:
        info = self._call("getFile", lambda: self._bot.get_file(file_id))
        path = info.file_path or ""
        content: bytes = self._call("downloadFile", lambda: self._bot.download_file(path))
        return content  # the Bot API hands bots files of up to 20 MB
