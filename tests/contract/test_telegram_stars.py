"""TelegramStars (the PaymentGateway) and payment updates, with the real telebot over real HTTP
against the fake Bot API: invoices, pre-checkout answers, refunds, reconciliation, and payment
events reaching the dialog ahead of a backlog."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from structlog.testing import capture_logs
from telebot import apihelper, types

from adapters.telegram import RetryPolicy, TelegramCaller, TelegramPolling, TelegramStars, make_bot
from adapters.telegram.chat_queues import FairChatQueues, Lane
from paintcore.dialog import IncomingMessage, PreCheckoutQuery, SuccessfulPayment
from paintcore.domain.errors import DeliveryFailed, PaymentRefused, RecipientBlocked
from paintcore.domain.payments import Pack, SettledCharge
from paintcore.domain.users import UserId
from support.fake_telegram import FakeBotAPI

ANYA, BORIS = UserId(42), UserId(43)
PACK = Pack(pages=10, price=50)
PAYLOAD = "pack:10:50:XTR:42"


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def stars_for(fake: FakeBotAPI, slept: list[float] | None = None) -> TelegramStars:
    record = slept if slept is not None else []
    caller = TelegramCaller(RetryPolicy(attempts=3, base_delay=0.01), sleep=record.append)
    return TelegramStars(make_bot(fake.token, fake.base_url), caller)


def checkout(fake: FakeBotAPI, user: int = ANYA, payload: str = PAYLOAD) -> str:
    update_id = fake.push_pre_checkout(user, payload, 50)
    return fake.callback_query_id(update_id)


# ---- invoices ---------------------------------------------------------------------------------


def test_an_invoice_arrives_in_stars_with_one_price_and_no_provider_token(fake: FakeBotAPI) -> None:
    stars = stars_for(fake)
    stars.send_invoice(
        ANYA, pack=PACK, payload=PAYLOAD, title="10 раскрасок", description="Пакет из 10 страниц"
    )
    [invoice] = fake.invoices_to(ANYA)
    assert stars.provider == "stars"
    assert invoice["title"] == "10 раскрасок" and invoice["description"] == "Пакет из 10 страниц"
    assert (invoice["payload"], invoice["currency"], invoice["provider_token"]) == (
        PAYLOAD,
        "XTR",
        "",
    )
    assert invoice["prices"] == [{"label": "10 раскрасок", "amount": 50}]
    shown = fake.message(ANYA, invoice["message_id"])
    assert shown is not None and shown["invoice"]["total_amount"] == 50


def test_the_fake_refuses_a_stars_invoice_telegram_would_refuse(fake: FakeBotAPI) -> None:
    bot = make_bot(fake.token, fake.base_url)
    price = [types.LabeledPrice("10", 50)]
    with pytest.raises(apihelper.ApiTelegramException, match="PAYMENT_PROVIDER_INVALID"):
        bot.send_invoice(ANYA, "10", "Пакет", PAYLOAD, "284685063:TEST:abc", "XTR", price)
    with pytest.raises(apihelper.ApiTelegramException, match="STARS_INVOICE_INVALID"):
        bot.send_invoice(ANYA, "10", "Пакет", PAYLOAD, "", "XTR", price * 2)
    with pytest.raises(apihelper.ApiTelegramException, match="INVOICE_PAYLOAD_INVALID"):
        bot.send_invoice(ANYA, "10", "Пакет", "я" * 65, "", "XTR", price)  # 130 bytes
    assert fake.invoices_to(ANYA) == []


def test_an_invoice_telegram_refuses_or_a_blocked_payer_becomes_a_core_error(
    fake: FakeBotAPI,
) -> None:
    stars = stars_for(fake)
    with pytest.raises(DeliveryFailed, match="INVOICE_TITLE_INVALID"):
        stars.send_invoice(ANYA, pack=PACK, payload=PAYLOAD, title="т" * 33, description="Пакет")
    fake.block(BORIS)
    with pytest.raises(RecipientBlocked):
        stars.send_invoice(BORIS, pack=PACK, payload=PAYLOAD, title="10", description="Пакет")
    assert len(fake.attempts) == 2  # refusals are not retried


# ---- pre-checkout -----------------------------------------------------------------------------


def test_pre_checkout_answers_are_recorded_ok_or_refused_with_the_message(
    fake: FakeBotAPI,
) -> None:
    stars = stars_for(fake)
    accepted, refused = checkout(fake), checkout(fake, BORIS)
    stars.answer_pre_checkout(accepted)
    stars.answer_pre_checkout(refused, error="Этот пакет больше не продаётся")
    assert fake.pre_checkout_answers == {
        accepted: {"user_id": ANYA, "ok": True, "error_message": None},
        refused: {"user_id": BORIS, "ok": False, "error_message": "Этот пакет больше не продаётся"},
    }


def test_an_unknown_or_answered_query_is_refused_without_a_retry(fake: FakeBotAPI) -> None:
    stars = stars_for(fake)
    query = checkout(fake)
    stars.answer_pre_checkout(query)
    with pytest.raises(DeliveryFailed, match="QUERY_ID_INVALID"):
        stars.answer_pre_checkout(query, error="поздно")
    with pytest.raises(DeliveryFailed, match="QUERY_ID_INVALID"):
        stars.answer_pre_checkout("no-such-query")
    assert fake.pre_checkout_answers[query]["ok"] is True
    assert len(fake.calls_of("answerPreCheckoutQuery")) == 1
    assert len(fake.attempts) == 3


def test_a_pre_checkout_answer_tries_twice_with_a_short_pause_then_gives_up(
    fake: FakeBotAPI,
) -> None:
    slept: list[float] = []
    stars = stars_for(fake, slept)
    query = checkout(fake)
    fake.fail("answerPreCheckoutQuery", status=502, times=None)
    with pytest.raises(DeliveryFailed):
        stars.answer_pre_checkout(query)
    assert len(fake.attempts) == 2 and len(slept) == 1 and slept[0] <= 0.5
    fake.fail("answerPreCheckoutQuery", status=429, retry_after=5)  # longer than a checkout has
    with pytest.raises(DeliveryFailed):
        stars.answer_pre_checkout(query)
    assert all(s <= 0.5 for s in slept)


# ---- refunds ----------------------------------------------------------------------------------


def test_a_charge_is_refunded_once_and_only_to_its_payer(fake: FakeBotAPI) -> None:
    stars = stars_for(fake)
    fake.push_successful_payment(ANYA, PAYLOAD, 50, charge_id="stx-1")
    with pytest.raises(PaymentRefused, match="CHARGE_NOT_FOUND"):
        stars.refund(user_id=BORIS, charge_id="stx-1")
    stars.refund(user_id=ANYA, charge_id="stx-1")
    with pytest.raises(PaymentRefused, match="CHARGE_ALREADY_REFUNDED"):
        stars.refund(user_id=ANYA, charge_id="stx-1")
    with pytest.raises(PaymentRefused, match="CHARGE_NOT_FOUND"):
        stars.refund(user_id=ANYA, charge_id="stx-unknown")
    assert fake.refunds == [{"user_id": ANYA, "charge_id": "stx-1"}]
    assert fake.refunded("stx-1")


def test_a_refund_whose_answer_was_lost_is_not_mistaken_for_a_refusal(fake: FakeBotAPI) -> None:
    stars = stars_for(fake)
    charge = fake.add_star_payment(ANYA, PAYLOAD, 50)
    fake.lose_answer("refundStarPayment")
    stars.refund(user_id=ANYA, charge_id=charge)  # the retry meets CHARGE_ALREADY_REFUNDED
    assert [a.status for a in fake.attempts] == [0, 400]
    assert fake.refunds == [{"user_id": ANYA, "charge_id": charge}]


def test_a_refund_that_cannot_be_asked_is_a_delivery_failure(fake: FakeBotAPI) -> None:
    stars = stars_for(fake)
    charge = fake.add_star_payment(ANYA, PAYLOAD, 50)
    fake.fail("refundStarPayment", status=500, times=None)
    with pytest.raises(DeliveryFailed):
        stars.refund(user_id=ANYA, charge_id=charge)
    assert len(fake.attempts) == 3 and not fake.refunded(charge)


# ---- reconciliation -----------------------------------------------------------------------------


def test_settled_lists_payments_with_payloads_and_refunds_and_stops_at_since(
    fake: FakeBotAPI,
) -> None:
    now = datetime.now(UTC)
    long_ago = int((now - timedelta(days=3)).timestamp())
    for n in range(150):
        fake.add_star_payment(BORIS, f"pack:old:{n}", 50, date=long_ago)
    fake.push_successful_payment(ANYA, PAYLOAD, 50, charge_id="stx-seen")
    unseen = fake.add_star_payment(BORIS, "pack:10:50:XTR:43", 50, charge_id="stx-unseen")
    stars = stars_for(fake)
    stars.refund(user_id=ANYA, charge_id="stx-seen")
    fake.add_star_transaction(  # a withdrawal is no user's charge
        {
            "id": "wd-1",
            "amount": 500,
            "date": int(now.timestamp()),
            "receiver": {"type": "fragment"},
        }
    )

    recent = list(stars.settled(since=now - timedelta(days=1)))

    assert {(c.charge_id, c.user_id, c.payload, c.amount, c.refund) for c in recent} == {
        ("stx-seen", ANYA, PAYLOAD, 50, False),
        (unseen, BORIS, "pack:10:50:XTR:43", 50, False),
        ("stx-seen", ANYA, PAYLOAD, 50, True),
    }
    assert all(c.currency == "XTR" and c.at >= now - timedelta(minutes=1) for c in recent)
    assert len(fake.calls_of("getStarTransactions")) == 1  # the first page reached past `since`
    everything = list(stars.settled(since=now - timedelta(days=30)))
    assert len(everything) == 153 and sum(c.refund for c in everything) == 1


def test_settled_lists_each_charge_once_while_new_payments_shift_the_pages(
    fake: FakeBotAPI,
) -> None:
    for n in range(120):
        fake.add_star_payment(ANYA, f"pack:{n}", 50, charge_id=f"stx-{n:03d}")
    listed: list[SettledCharge] = []
    for charge in stars_for(fake).settled(since=datetime.now(UTC) - timedelta(hours=1)):
        if not listed:
            fake.add_star_payment(BORIS, "pack:late", 50, charge_id="stx-late")
        listed.append(charge)
    ids = [c.charge_id for c in listed]
    assert len(ids) == len(set(ids)) and set(ids) >= {f"stx-{n:03d}" for n in range(120)}


def test_a_transaction_list_that_cannot_be_had_is_a_delivery_failure(fake: FakeBotAPI) -> None:
    fake.fail("getStarTransactions", status=500, times=None)
    with pytest.raises(DeliveryFailed):
        list(stars_for(fake).settled(since=datetime.now(UTC)))


# ---- payment updates ----------------------------------------------------------------------------


class Payments:
    """A dialog that records payment events (and, optionally, is slow with messages)."""

    def __init__(self, message_delay: float = 0.0) -> None:
        self.events: list[PreCheckoutQuery | SuccessfulPayment] = []
        self.order: list[str] = []  # what the dialog handled, in order
        self.message_delay = message_delay
        self.fail = False
        self._lock = threading.Lock()

    def message(self, event: IncomingMessage) -> None:
        time.sleep(self.message_delay)
        with self._lock:
            self.order.append(event.text or "")

    def payment(self, event: PreCheckoutQuery | SuccessfulPayment) -> None:
        with self._lock:
            self.events.append(event)
            self.order.append(type(event).__name__)
        if self.fail:
            raise RuntimeError("dialog bug")


def polling(fake: FakeBotAPI, dialog: Payments, max_waiting: int = 50) -> TelegramPolling:
    return TelegramPolling(
        make_bot(fake.token, fake.base_url),
        on_message=dialog.message,
        on_payment=dialog.payment,
        workers=4,
        max_waiting=max_waiting,
        long_poll=1,
    )


def test_payment_updates_reach_the_dialog_as_typed_events(fake: FakeBotAPI) -> None:
    dialog = Payments()
    runner = polling(fake, dialog)
    runner.start()
    try:
        asked = fake.push_pre_checkout(ANYA, PAYLOAD, 50, first_name="Аня", language_code="ru")
        paid = fake.push_successful_payment(ANYA, PAYLOAD, 50, charge_id="stx-1")
        assert fake.wait_for(lambda f: len(dialog.events) == 2)
    finally:
        assert runner.stop(timeout=5)
    query, payment = sorted(dialog.events, key=lambda e: e.update_id)
    assert query == PreCheckoutQuery(
        asked, fake.callback_query_id(asked), query.sender, "XTR", 50, PAYLOAD
    )
    assert (query.sender.id, query.sender.first_name, query.sender.language_code) == (
        ANYA,
        "Аня",
        "ru",
    )
    assert payment == SuccessfulPayment(paid, ANYA, payment.sender, "XTR", 50, PAYLOAD, "stx-1", "")
    assert payment.sender.id == ANYA
    allowed = fake.calls_of("getUpdates")[0].params["allowed_updates"]
    assert isinstance(allowed, list) and "pre_checkout_query" in allowed
    assert fake.pending_updates == []


def test_a_pre_checkout_query_is_handled_ahead_of_its_chats_backlog(fake: FakeBotAPI) -> None:
    dialog = Payments(message_delay=0.05)
    for n in range(20):
        fake.push_text(ANYA, f"msg {n}")
    fake.push_pre_checkout(ANYA, PAYLOAD, 50)
    runner = polling(fake, dialog)
    runner.start()
    try:
        assert fake.wait_for(lambda f: len(dialog.order) == 21)
    finally:
        assert runner.stop(timeout=5)
    assert dialog.order.index("PreCheckoutQuery") <= 2  # behind at most what was in hand
    assert [o for o in dialog.order if o.startswith("msg")] == [f"msg {n}" for n in range(20)]


def test_a_payment_behind_a_flood_is_neither_dropped_nor_reordered(fake: FakeBotAPI) -> None:
    dialog = Payments(message_delay=0.01)
    for n in range(30):
        fake.push_text(ANYA, f"msg {n}")
    fake.push_successful_payment(ANYA, PAYLOAD, 50, charge_id="stx-1")
    runner = polling(fake, dialog, max_waiting=5)
    runner.start()
    try:
        assert fake.wait_for(lambda f: len(dialog.events) == 1)
    finally:
        assert runner.stop(timeout=5)
    assert dialog.order[-1] == "SuccessfulPayment"  # after the messages that were kept
    assert len(fake.texts_to(ANYA)) == 1  # told once that it writes too fast


def test_a_failing_payment_handler_is_logged_and_the_adapter_says_nothing(
    fake: FakeBotAPI,
) -> None:
    dialog = Payments()
    dialog.fail = True
    runner = polling(fake, dialog)
    with capture_logs() as logs:
        runner.start()
        try:
            fake.push_pre_checkout(ANYA, PAYLOAD, 50)
            assert fake.wait_for(lambda f: len(dialog.events) == 1 and f.pending_updates == [])
        finally:
            assert runner.stop(timeout=5)
    assert any(e["event"] == "payment update failed" for e in logs)
    assert fake.sent_to(ANYA) == []  # no apology, and no answer in the dialog's name


def test_urgent_items_jump_their_chat_and_every_turn_and_kept_ones_survive_a_shed() -> None:
    queues: FairChatQueues[str] = FairChatQueues(bound=2)
    assert queues.put(1, "a1") and queues.put(2, "b1") and queues.put(2, "b2")
    assert not queues.put(2, "b3")  # past the bound
    assert queues.put(2, "paid", Lane.KEPT)  # a payment is never refused
    assert queues.put(2, "checkout", Lane.URGENT)
    assert queues.take() == (2, "checkout")  # ahead of b1 and of chat 1's turn
    assert queues.take() == (1, "a1")
    assert queues.release(2)
    assert queues.shed(minimum=1) == ["b1", "b2"]
    assert queues.take() == (2, "paid")
    assert not queues.release(2)
    assert queues.close() == []
