"""The platform-neutral conversation: incoming events -> use cases -> replies in ru/en."""

from .conversation import Dialog
from .events import IncomingCallback, IncomingMessage, MessageKind
from .menu import command_menu
from .notifier import DialogNotifier, what_was_drawn
from .texts import SUPPORTED, Texts, pick_language
from .tools import FileIdTool

__all__ = [
    "SUPPORTED",
    "Dialog",
    "DialogNotifier",
    "FileIdTool",
    "IncomingCallback",
    "IncomingMessage",
    "MessageKind",
    "Texts",
    "command_menu",
    "pick_language",
    "what_was_drawn",
]
