"""In-memory Attachments: files users "sent", by file_id."""

from __future__ import annotations

from dataclasses import dataclass, field

from paintcore.domain.errors import DeliveryFailed


@dataclass
class InMemoryAttachments:
    files: dict[str, bytes] = field(default_factory=dict)

    def fetch(self, file_id: str) -> bytes:
        try:
            return self.files[file_id]
        except KeyError:
            raise DeliveryFailed(f"no file {file_id!r}") from None
