"""The payment provider port: invoices, the pre-checkout answer, refunds, and the provider's list
of settled charges (for reconciliation). Telegram Stars today; a second provider fits later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from ..domain.payments import Pack, SettledCharge
from ..domain.users import UserId


class PaymentGateway(Protocol):
    @property
    def provider(self) -> str:
        """The provider's short name as recorded with each payment ("stars")."""
        ...

    def send_invoice(
        self, chat_id: int, *, pack: Pack, payload: str, title: str, description: str
    ) -> None:
        """Send the user an invoice for `pack` carrying `payload`; RecipientBlocked, RateLimited
        or DeliveryFailed."""
        ...

    def answer_pre_checkout(self, query_id: str, *, error: str | None = None) -> None:
        """Accept the checkout (error None) or refuse it with `error` shown to the payer; within
        10 s of the query. DeliveryFailed if the answer did not arrive."""
        ...

    def refund(self, *, user_id: UserId, charge_id: str) -> None:
        """Give the money of the charge back to the user; PaymentRefused when the provider says no
        (unknown charge, refunded already), DeliveryFailed when it could not be asked."""
        ...

    def settled(self, *, since: datetime) -> Iterator[SettledCharge]:
        """Charges in and refunds out since `since`, as the provider lists them (newest first or
        any order; each at most once). DeliveryFailed if the list cannot be had."""
        ...
