"""The terminal chat: the same dialog on stdin/stdout, pages written to files."""

from .chat import PROMPT, ConsoleChat
from .messenger import ConsoleMessenger

__all__ = ["PROMPT", "ConsoleChat", "ConsoleMessenger"]
