"""ClosedOnExit: `with Store(...) as store:` closes the store at the end, for every store."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class ClosedOnExit(ABC):
    """A base for resources with `close()`: entering returns the resource, leaving closes it."""

    @abstractmethod
    def close(self) -> None:
        """Release the resource; closing twice is harmless."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
