"""SendInvoice: an invoice for one of today's packs, carrying the pack and the buyer."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.payments import InvoicePayload, Pack
from ..domain.users import UserId
from ..ports import PaymentGateway


@dataclass(frozen=True, slots=True)
class SendInvoice:
    gateway: PaymentGateway
    packs: tuple[Pack, ...]

    def __call__(
        self, *, buyer: UserId, chat_id: int, pack: Pack, title: str, description: str
    ) -> None:
        """Send the invoice (the dialog words title and description); ValueError for a pack that
        is not on sale, and the gateway's errors (RecipientBlocked, DeliveryFailed, ...)."""
        if pack not in self.packs:
            raise ValueError(f"{pack} is not on sale")
        payload = InvoicePayload(pack, buyer).encode()
        self.gateway.send_invoice(
            chat_id, pack=pack, payload=payload, title=title, description=description
        )
