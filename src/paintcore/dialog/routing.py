"""Route rows and the table that looks them up; an admin-only row is invisible to everyone else."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..domain.conversation import Awaiting
from .events import IncomingCallback, IncomingMessage, MessageKind
from .texts import Texts

G = TypeVar("G")


@dataclass(frozen=True, slots=True)
class Route(Generic[G]):
    """A message matching this row's one key goes to `handler` of the injected `group`."""

    group: type[G]
    handler: Callable[[G, IncomingMessage, Texts], None]
    command: str | None = None  # "/command", slash and @botname aside
    button: str | None = None  # the text key of a menu button, typed in any language
    file: MessageKind | None = None  # a photo, document or sticker that carries a file_id
    awaiting: Awaiting | None = None  # text that is what the conversation expects next
    uncaptioned: bool = False  # with `file`: only a file sent without a caption
    # With `awaiting`: any message is the awaited one (a photo, a sticker, a caption-less file),
    # before the file rows; only a menu button typed as text keeps its own meaning.
    any_kind: bool = False
    admin_only: bool = False
    # The handler registers the sender itself (/start): nobody is looked up or turned away first.
    registers: bool = False
    in_menu: bool = False  # listed in the messenger's command menu, described by `cmd_<command>`

    def __post_init__(self) -> None:
        keys = [k for k in (self.command, self.button, self.file, self.awaiting) if k is not None]
        if len(keys) != 1:
            raise ValueError(f"a route has exactly one key, not {keys}: {self!r}")
        if self.any_kind and self.awaiting is None:
            raise ValueError(f"any_kind is for awaited replies: {self!r}")

    @property
    def key(self) -> tuple[object, ...]:
        """What a message must be to take this route; unique within a table."""
        if self.command is not None:
            return ("command", self.command)
        if self.button is not None:
            return ("button", self.button)
        if self.file is not None:
            return ("file", self.file, self.uncaptioned)
        return ("awaiting", self.awaiting)


@dataclass(frozen=True, slots=True)
class Press(Generic[G]):
    """A button press whose data starts with `prefix` goes to `handler`, which returns the notice
    to show, or None for data it does not know (forged, stale)."""

    group: type[G]
    handler: Callable[[G, IncomingCallback, Texts], str | None]
    prefix: str
    admin_only: bool = False


@dataclass(frozen=True, slots=True)
class RouteTable:
    """Rows are tried in order; the first that matches and that the sender may use wins."""

    routes: tuple[Route[Any], ...]
    presses: tuple[Press[Any], ...] = ()
    # "/set DATA" does what pressing a button carrying DATA does: a console has no buttons.
    typed_press: str = "set"

    def __post_init__(self) -> None:
        keys = [route.key for route in self.routes] + [("command", self.typed_press)]
        if len(set(keys)) != len(keys):
            raise ValueError(f"routes with the same key: {sorted(map(str, keys))}")
        prefixes = [press.prefix for press in self.presses]
        for prefix in prefixes:
            if not prefix or any(p != prefix and p.startswith(prefix) for p in prefixes):
                raise ValueError(f"button prefix {prefix!r} is empty or shadows another")
        if len(set(prefixes)) != len(prefixes):
            raise ValueError(f"button prefixes repeat: {prefixes}")

    def command(self, name: str, *, admin: bool) -> Route[Any] | None:
        return next((r for r in self._open_to(admin) if r.command == name), None)

    def button(self, key: str, *, admin: bool) -> Route[Any] | None:
        return next((r for r in self._open_to(admin) if r.button == key), None)

    def file(self, event: IncomingMessage, *, admin: bool) -> Route[Any] | None:
        if not event.file_id:
            return None
        return next(
            (
                r
                for r in self._open_to(admin)
                if r.file is event.kind and not (r.uncaptioned and event.text)
            ),
            None,
        )

    def awaiting(self, awaiting: Awaiting, *, admin: bool) -> Route[Any] | None:
        return next((r for r in self._open_to(admin) if r.awaiting is awaiting), None)

    def press(self, data: str, *, admin: bool) -> Press[Any] | None:
        presses = (p for p in self.presses if admin or not p.admin_only)
        return next((p for p in presses if data.startswith(p.prefix)), None)

    def groups(self) -> set[type]:
        """Every handler group some row sends to: the router must be given one of each."""
        return {route.group for route in self.routes} | {press.group for press in self.presses}

    def _open_to(self, admin: bool) -> Iterator[Route[Any]]:
        return (route for route in self.routes if admin or not route.admin_only)
