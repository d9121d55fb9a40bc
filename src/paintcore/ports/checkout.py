"""The checkout provider port: payments the buyer completes on the provider's page (YooKassa)."""

from __future__ import annotations

from typing import Protocol

from ..domain.checkout import CheckoutOrder, CheckoutPayment, Receipt


class CheckoutGateway(Protocol):
    @property
    def provider(self) -> str:
        """The provider's short name, recorded with each order and payment ("yookassa")."""
        ...

    def create_payment(
        self,
        order: CheckoutOrder,
        *,
        description: str,
        return_url: str,
        receipt: Receipt | None = None,
    ) -> CheckoutPayment:
        """Create the order's payment (idempotence key and metadata: `order.order_id`, so asking
        again for the same order returns the same payment), auto-captured, with a redirect
        confirmation returning to `return_url`. DeliveryFailed when the provider cannot be
        reached or answers with a server error (try again later), PaymentRefused when it refuses
        the request (bad credentials, a bad amount)."""
        ...

    def payment(self, payment_id: str) -> CheckoutPayment | None:
        """The payment as the provider reports it now; None when it does not know the id.
        DeliveryFailed when it cannot be asked."""
        ...

    def refund(self, payment_id: str, *, amount_minor: int, currency: str, key: str) -> None:
        """Give `amount_minor` of the payment back, once per `key` (the idempotence key: asking
        again changes nothing). PaymentRefused when the provider says no (not succeeded,
        refunded already), DeliveryFailed when it cannot be asked."""
        ...
