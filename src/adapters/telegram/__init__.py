"""Telegram through pyTelegramBotAPI: updates -> dialog events, the Messenger port, long polling."""

from .api import RetryPolicy, TelegramCaller, make_bot
from .files import TelegramFiles
from .messenger import TelegramMessenger
from .polling import BotCommandSpec, TelegramPolling, TelegramUnauthorized
from .updates import to_callback, to_message

__all__ = [
    "BotCommandSpec",
    "RetryPolicy",
    "TelegramCaller",
    "TelegramFiles",
    "TelegramMessenger",
    "TelegramPolling",
    "TelegramUnauthorized",
    "make_bot",
    "to_callback",
    "to_message",
]
