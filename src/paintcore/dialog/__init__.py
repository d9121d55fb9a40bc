"""The platform-neutral conversation: incoming events -> use cases -> replies in ru/en."""

from .conversation import Dialog
from .events import IncomingCallback, IncomingMessage, MessageKind
from .notifier import DialogNotifier
from .texts import SUPPORTED, Texts, pick_language

__all__ = [
    "SUPPORTED",
    "Dialog",
    "DialogNotifier",
    "IncomingCallback",
    "IncomingMessage",
    "MessageKind",
    "Texts",
    "pick_language",
]
