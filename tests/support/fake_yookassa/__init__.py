"""A fake YooKassa API v3 over real HTTP, for the real yookassa SDK (and anything else).

with FakeYooKassa(shop_id="100500", secret_key="test_SECRET") as fake:
    gateway = YooKassaGateway("100500", "test_SECRET", api_url=fake.api_url)
    created = gateway.create_payment(order, description="10 pages", return_url="https://t.me/bot")
    fake.succeed(created.payment_id)             # the buyer paid (or fake.cancel(id, reason))
    body = fake.notification(created.payment_id)  # what YooKassa would POST to the shop
    fake.fail(500, times=2, on="create")          # or fake.drop(...), fake.stall(seconds)
    [request] = fake.requests_to("create")

Endpoints: POST /v3/payments ("create"), GET /v3/payments/{id} ("get"), POST /v3/refunds
("refund"); Basic auth with the shop id and secret key; POSTs need an Idempotence-Key, and a key
repeated with the same body gets the first answer again.
"""

from .api import RecordedRequest, YooKassaApi
from .book import JSON, Refusal, notification
from .faults import ENDPOINTS
from .server import FakeYooKassa

__all__ = [
    "ENDPOINTS",
    "JSON",
    "FakeYooKassa",
    "RecordedRequest",
    "Refusal",
    "YooKassaApi",
    "notification",
]
