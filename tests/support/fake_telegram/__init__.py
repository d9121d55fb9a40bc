"""A fake Telegram Bot API HTTP server for tests, speaking pyTelegramBotAPI's dialect.

with FakeBotAPI(token="123456:TEST") as fake:
    telebot.apihelper.API_URL = fake.api_url
    fake.push_text(42, "/start")
    ...
    assert fake.wait_calls("sendMessage", 1)[0].chat_id == 42
"""

from .api import FakeBotAPI
from .objects import Profile
from .state import ApiError, Call, StoredFile

__all__ = ["ApiError", "Call", "FakeBotAPI", "Profile", "StoredFile"]
