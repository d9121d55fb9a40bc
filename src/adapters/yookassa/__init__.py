"""YooKassa checkout payments (bank cards, SBP) through the yookassa SDK: the CheckoutGateway
port, one shop per gateway, the API URL configurable (YOOKASSA_API_URL) for tests."""

from .client import Patience, ShopClient, Unreachable
from .gateway import DEFAULT_API_URL, PAYMENT_ID, PROVIDER, YooKassaGateway

__all__ = [
    "DEFAULT_API_URL",
    "PAYMENT_ID",
    "PROVIDER",
    "Patience",
    "ShopClient",
    "Unreachable",
    "YooKassaGateway",
]
