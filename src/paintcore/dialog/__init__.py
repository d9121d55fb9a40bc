"""The platform-neutral conversation: incoming events -> use cases -> replies in ru/en."""

from .conversation import Dialog
from .events import IncomingMessage, MessageKind
from .notifier import DialogNotifier
from .texts import SUPPORTED, Texts, pick_language

__all__ = [
    "SUPPORTED",
    "Dialog",
    "DialogNotifier",
    "IncomingMessage",
    "MessageKind",
    "Texts",
    "pick_language",
]
