"""Telegram through pyTelegramBotAPI: updates -> dialog events, the Messenger port, long polling
or a webhook (served by waitress), and Telegram Stars (the PaymentGateway port)."""

from .api import RetryPolicy, TelegramCaller, TelegramUnauthorized, make_bot, refusal
from .dispatcher import UpdateDispatcher
from .files import TelegramFiles
from .messenger import TelegramMessenger
from .polling import BotCommandSpec, TelegramPolling
from .stars import TelegramStars
from .update_source import LongPolling
from .updates import to_callback, to_message, to_payment, to_pre_checkout
from .webhook import TelegramWebhook, WebhookRefused

__all__ = [
    "BotCommandSpec",
    "LongPolling",
    "RetryPolicy",
    "TelegramCaller",
    "TelegramFiles",
    "TelegramMessenger",
    "TelegramPolling",
    "TelegramStars",
    "TelegramUnauthorized",
    "TelegramWebhook",
    "UpdateDispatcher",
    "WebhookRefused",
    "make_bot",
    "refusal",
    "to_callback",
    "to_message",
    "to_payment",
    "to_pre_checkout",
]
