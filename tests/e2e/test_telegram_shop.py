"""The shop end to end: the real telebot over real HTTP against the fake Bot API, on SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from entrypoints.recovery import reconcile_payments
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.credits import Balance
from paintcore.domain.jobs import JobId
from paintcore.domain.payments import InvoicePayload, Pack
from paintcore.domain.users import UserId
from support.fake_telegram import FakeBotAPI
from support.telegram_world import ADMIN, RunningBot, start_bot

RU = CATALOGS["ru"]
USER, OTHER = 501, 502


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def bot(fake: FakeBotAPI, tmp_path: Path) -> Iterator[RunningBot]:
    running = start_bot(fake, tmp_path)
    yield running
    running.stop()


def _wait(fake: FakeBotAPI, chat: int, fragment: str, count: int = 1) -> list[str]:
    def seen(f: FakeBotAPI) -> bool:
        return sum(fragment in t for t in f.texts_to(chat)) >= count

    assert fake.wait_for(seen), f"no {fragment!r} to {chat}: {fake.texts_to(chat)}"
    return [t for t in fake.texts_to(chat) if fragment in t]


def _started(fake: FakeBotAPI, *users: int) -> None:
    for user in users:
        fake.push_text(user, "/start", first_name="Аня")
        _wait(fake, user, "Привет")


def _answer(fake: FakeBotAPI, update_id: int) -> dict[str, object]:
    query = fake.callback_query_id(update_id)
    assert fake.wait_for(lambda f: query in f.pre_checkout_answers)
    return fake.pre_checkout_answers[query]


def _payload(user: int, pages: int = 10, price: int = 50) -> str:
    return InvoicePayload(Pack(pages, price), UserId(user)).encode()


def _handled(bot: RunningBot, update_id: int) -> None:
    assert bot.fake.wait_for(lambda f: bot.container.store().updates.handled(update_id))


def test_the_whole_purchase(bot: RunningBot) -> None:
    fake = bot.fake
    _started(fake, USER)
    fake.push_text(USER, "/buy")
    _wait(fake, USER, RU["packs_offer"])
    fake.push_callback(USER, "pack:30")
    assert fake.wait_for(lambda f: bool(f.invoices_to(USER)))
    [invoice] = fake.invoices_to(USER)
    assert (invoice["title"], invoice["currency"], invoice["provider_token"]) == (
        "30 раскрасок",
        "XTR",
        "",
    )
    assert [p["amount"] for p in invoice["prices"]] == [120]

    checkout = fake.push_pre_checkout(USER, invoice["payload"], 120)
    assert _answer(fake, checkout) == {"user_id": USER, "ok": True, "error_message": None}
    fake.push_successful_payment(USER, invoice["payload"], 120, charge_id="tg-1")

    [receipt] = _wait(fake, USER, "Оплата получена")
    assert "30 раскрасок" in receipt and "40" in receipt
    assert bot.balance(USER) == Balance(free=10, paid=30)


@pytest.mark.parametrize(
    ("payload", "total", "currency", "payer", "key"),
    [
        ("forged", 50, "XTR", USER, "checkout_forged"),
        (_payload(USER, 10, 40), 40, "XTR", USER, "checkout_pack_gone"),
        (_payload(USER), 49, "XTR", USER, "checkout_wrong_amount"),
        (_payload(USER), 50, "USD", USER, "checkout_wrong_amount"),
        (_payload(OTHER), 50, "XTR", USER, "checkout_not_buyer"),
        (_payload(777), 50, "XTR", 777, "checkout_unknown_payer"),
    ],
    ids=["forged", "pack-gone", "amount", "currency", "not-buyer", "stranger"],
)
def test_every_pre_checkout_refusal(
    bot: RunningBot, payload: str, total: int, currency: str, payer: int, key: str
) -> None:
    _started(bot.fake, USER, OTHER)
    update = bot.fake.push_pre_checkout(payer, payload, total, currency=currency)
    assert _answer(bot.fake, update) == {"user_id": payer, "ok": False, "error_message": RU[key]}


def test_a_banned_users_pre_checkout_is_refused_politely(bot: RunningBot) -> None:
    _started(bot.fake, USER)
    bot.container.users().set_banned(UserId(USER), True)
    update = bot.fake.push_pre_checkout(USER, _payload(USER), 50)
    assert _answer(bot.fake, update)["error_message"] == RU["checkout_banned"]


def test_a_payment_delivered_twice_is_credited_once(bot: RunningBot) -> None:
    fake = bot.fake
    _started(fake, USER)
    fake.push_successful_payment(USER, _payload(USER), 50, charge_id="tg-1")
    second = fake.push_successful_payment(USER, _payload(USER), 50, charge_id="tg-1")
    _handled(bot, second)
    assert len(_wait(fake, USER, "Оплата получена")) == 1
    assert bot.balance(USER).paid == 10


def test_a_payment_delivered_before_and_after_a_restart_is_credited_once(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    first = start_bot(fake, tmp_path)
    _started(fake, USER)
    fake.push_successful_payment(USER, _payload(USER), 50, charge_id="tg-1")
    _wait(fake, USER, "Оплата получена")
    first.stop()

    second = start_bot(fake, tmp_path)  # the same SQLite file
    try:
        again = fake.push_successful_payment(USER, _payload(USER), 50, charge_id="tg-1")
        _handled(second, again)
        assert second.balance(USER).paid == 10
        assert len(_wait(fake, USER, "Оплата получена")) == 1
    finally:
        second.stop()


def test_a_payment_with_an_unknown_payload_is_refunded_and_admins_told(bot: RunningBot) -> None:
    fake = bot.fake
    _started(fake, USER)
    fake.push_successful_payment(USER, "pack:1:1:XTR:501", 1, charge_id="tg-x")
    _wait(fake, USER, "звёзды возвращены")
    assert fake.refunds == [{"user_id": USER, "charge_id": "tg-x"}]
    assert any("tg-x" in t for t in _wait(fake, ADMIN, "Автовозврат"))
    assert bot.balance(USER) == Balance(free=10)


def test_reconciliation_credits_a_payment_whose_update_was_lost(bot: RunningBot) -> None:
    fake = bot.fake
    _started(fake, USER)
    fake.add_star_payment(USER, _payload(USER), 50, "tg-lost")

    first = reconcile_payments(bot.container)
    second = reconcile_payments(bot.container)

    assert first is not None and len(first.credited) == 1
    assert second is not None and second.credited == [] and second.known == 1
    assert bot.balance(USER).paid == 10
    _wait(fake, USER, "Оплата получена")


def _paintbot(tmp_path: Path, fake: FakeBotAPI | None, *args: str) -> tuple[int, str, str]:
    """The command in its own process (its logging set-up stays there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAINTBOT_", "BOT_", "ADMIN"))}
    env |= {"PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"), "ADMIN_IDS": str(ADMIN)}
    if fake is not None:
        env |= {"BOT_TOKEN": fake.token, "PAINTBOT_TELEGRAM_API_URL": fake.base_url}
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", *args],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def test_paintbot_payments_reconcile_prints_counts_and_changes_nothing_twice(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    bot = start_bot(fake, tmp_path)
    _started(fake, USER)
    bot.stop()
    fake.add_star_payment(USER, _payload(USER), 50, "tg-lost")

    code, out, err = _paintbot(tmp_path, fake, "payments", "reconcile")
    assert code == 0, err
    assert "credited now: 1" in out
    assert any("Оплата получена" in t for t in fake.texts_to(USER))
    code, out, err = _paintbot(tmp_path, fake, "payments", "reconcile")
    assert code == 0, err
    assert "credited now: 0" in out and "known already: 1" in out


def test_paintbot_payments_reconcile_needs_the_bot_token(tmp_path: Path) -> None:
    code, _, err = _paintbot(tmp_path, None, "payments", "reconcile")
    assert code == 2 and "BOT_TOKEN" in err


def test_refunds_enough_left_partly_spent_and_forced(bot: RunningBot) -> None:
    fake = bot.fake
    _started(fake, USER, OTHER)
    fake.push_successful_payment(USER, _payload(USER), 50, charge_id="tg-1")
    fake.push_successful_payment(OTHER, _payload(OTHER), 50, charge_id="tg-2")
    _wait(fake, USER, "Оплата получена")
    _wait(fake, OTHER, "Оплата получена")

    fake.push_text(ADMIN, "/refund tg-1")
    _wait(fake, ADMIN, "Платёж tg-1 возвращён")
    assert bot.balance(USER) == Balance(free=10, paid=0)
    _wait(fake, USER, "Платёж возвращён")

    # OTHER spends pages until the bought ones are reached: 10 free, then 2 bought.
    ledger = bot.container.ledger()
    ledger.reserve(user_id=UserId(OTHER), job_id=JobId("j-free"), amount=10)
    ledger.reserve(user_id=UserId(OTHER), job_id=JobId("j-paid"), amount=2)
    ledger.capture(job_id=JobId("j-paid"))
    fake.push_text(ADMIN, "/refund tg-2")
    _wait(fake, ADMIN, "осталось 8 из 10")
    assert not fake.refunded("tg-2")

    fake.push_text(ADMIN, "/refund tg-2 force")
    _wait(fake, ADMIN, "Платёж tg-2 возвращён")
    assert fake.refunded("tg-2") and bot.balance(OTHER).paid == 0
    payment = bot.container.payments().get("tg-2")
    assert payment is not None and (payment.refunded_pages, payment.shortfall) == (8, 2)

    fake.push_text(ADMIN, "/refund tg-2 force")
    _wait(fake, ADMIN, "уже возвращён")
    assert len(fake.refunds) == 2


def test_refund_from_a_non_admin_is_an_unknown_command(bot: RunningBot) -> None:
    fake = bot.fake
    _started(fake, USER)
    fake.push_successful_payment(USER, _payload(USER), 50, charge_id="tg-1")
    _wait(fake, USER, "Оплата получена")
    fake.push_text(USER, "/refund tg-1")
    _wait(fake, USER, RU["unknown_command"])
    assert fake.refunds == [] and bot.balance(USER).paid == 10
