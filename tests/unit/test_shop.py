"""The shop in the dialog: packs, invoices, the checkout, crediting once, automatic refunds."""

from __future__ import annotations

from dataclasses import replace

import pytest

from paintcore.dialog import Shop
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.credits import Balance, purchase_key
from paintcore.domain.messages import InlineKeyboard
from paintcore.domain.payments import InvoicePayload, Pack, PaymentState
from paintcore.domain.users import UserId
from support.shop import pay, payload, pre_checkout, press, take
from support.world import ADMIN, World, build_world

RU, EN = CATALOGS["ru"], CATALOGS["en"]
BUYER, OTHER = 1, 2


def _registered(world: World, *uids: int) -> None:
    for uid in uids:
        world.say(uid, "/start")


def _pack_data(keyboard: object) -> list[str]:
    assert isinstance(keyboard, InlineKeyboard)
    return [button.data for row in keyboard.rows for button in row]


@pytest.mark.parametrize("text", ["/buy", "Купить раскраски", "buy pages"])
def test_buy_and_the_menu_button_offer_every_pack_as_a_button(text: str) -> None:
    world = build_world(cards=False)
    world.say(BUYER, text)
    [offer] = [m for m in world.messenger.to(BUYER) if m.text == RU["packs_offer"]]
    assert _pack_data(offer.keyboard) == ["pack:10", "pack:30", "pack:100"]
    assert isinstance(offer.keyboard, InlineKeyboard)
    assert offer.keyboard.rows[0][0].label == "10 раскрасок — 50 ⭐"


def test_with_card_payments_on_each_pack_button_shows_both_prices(world: World) -> None:
    world.say(BUYER, "/buy")
    [offer] = [m for m in world.messenger.to(BUYER) if m.text == RU["packs_offer_both"]]
    assert _pack_data(offer.keyboard) == ["pack:10", "pack:30", "pack:100"]
    assert isinstance(offer.keyboard, InlineKeyboard)
    assert offer.keyboard.rows[0][0].label == "10 раскрасок — 50 ⭐ или 149 ₽"


def test_a_pack_button_sends_an_invoice_naming_the_pages_for_pack_and_buyer() -> None:
    world = build_world(cards=False)  # one way to pay: the pack button is the invoice at once
    _registered(world, BUYER)
    press(world, BUYER, "pack:30")
    [invoice] = world.gateway.invoices
    assert invoice.chat_id == BUYER and invoice.pack == Pack(30, 120)
    assert invoice.title == "30 раскрасок" and "30 раскрасок" in invoice.description
    assert InvoicePayload.decode(invoice.payload) == InvoicePayload(Pack(30, 120), UserId(BUYER))
    assert world.messenger.callback_answers[-1][1] == RU["invoice_sent"]


def test_an_english_invoice_names_pages_in_english(world: World) -> None:
    press(world, BUYER, "paystars:10", language="en")
    assert world.gateway.invoices[0].title == "10 pages"


@pytest.mark.parametrize(
    "data", ["pack:11", "pack:abc", "pack:", "pack:-10", "pack:10x", "pack:" + "9" * 40]
)
def test_a_forged_or_stale_pack_button_sends_nothing(world: World, data: str) -> None:
    _registered(world, BUYER)
    press(world, BUYER, data)
    assert world.gateway.invoices == []
    assert world.messenger.callback_answers[-1][1] == RU["unknown_button"]


def test_the_whole_purchase_credits_the_paid_bucket_once_with_a_receipt(world: World) -> None:
    _registered(world, BUYER)
    press(world, BUYER, "pack:10")
    press(world, BUYER, "paystars:10")  # the choice: Stars
    text = world.gateway.invoices[0].payload
    assert pre_checkout(world, BUYER, text) is None

    pay(world, BUYER, "charge-1", text=text)

    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10, paid=10)
    assert world.last_text(BUYER) == (
        "Оплата получена, спасибо! Добавлено: 10 раскрасок. "
        "Доступно раскрасок: 20 (из них купленных: 10)."
    )
    payment = world.container.payments().get("charge-1")
    assert payment is not None and payment.pages == 10 and payment.state is PaymentState.PAID
    assert payment.provider_charge_id == "p-charge-1"
    keys = [t.key for t in world.ledger.transactions(UserId(BUYER))]
    assert keys.count(purchase_key("charge-1")) == 1


def test_the_same_payment_delivered_twice_is_credited_once(world: World) -> None:
    _registered(world, BUYER)
    paid = pay(world, BUYER, "charge-1")
    world.dialog.handle_payment(replace(paid, update_id=paid.update_id + 100))
    assert world.ledger.balance(UserId(BUYER)).paid == 10
    receipts = [t for t in world.messenger.texts(BUYER) if t.startswith("Оплата получена")]
    assert len(receipts) == 1


def test_bought_pages_are_spent_after_the_free_ones(world: World) -> None:
    world2 = build_world(free_credits=0)
    _registered(world2, BUYER)
    pay(world2, BUYER, "charge-1")
    world2.say(BUYER, "Получить раскраску")
    world2.say(BUYER, "кот в шляпе")
    world2.queue.run_pending()
    assert world2.ledger.balance(UserId(BUYER)) == Balance(paid=9)


# --- the checkout -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "total", "currency", "payer", "key"),
    [
        ("pack:10:50:XTR", 50, "XTR", BUYER, "checkout_forged"),
        ("something else", 50, "XTR", BUYER, "checkout_forged"),
        (payload(BUYER, 10, 40), 40, "XTR", BUYER, "checkout_pack_gone"),
        (payload(BUYER, 12, 50), 50, "XTR", BUYER, "checkout_pack_gone"),
        (payload(BUYER), 49, "XTR", BUYER, "checkout_wrong_amount"),
        (payload(BUYER), 50, "USD", BUYER, "checkout_wrong_amount"),
        (payload(BUYER), 50, "XTR", OTHER, "checkout_not_buyer"),
        (payload(99), 50, "XTR", 99, "checkout_unknown_payer"),
    ],
    ids=[
        "forged",
        "garbage",
        "price-changed",
        "no-such-pack",
        "amount",
        "currency",
        "not-buyer",
        "stranger",
    ],
)
def test_each_checkout_refusal_has_its_own_reason_in_the_payers_language(
    world: World, text: str, total: int, currency: str, payer: int, key: str
) -> None:
    _registered(world, BUYER, OTHER)
    assert pre_checkout(world, payer, text, total=total, currency=currency) == RU[key]
    assert (
        pre_checkout(world, payer, text, total=total, currency=currency, language="en") == EN[key]
    )
    assert world.container.payments().of_user(UserId(payer)) == []


def test_a_banned_users_checkout_is_refused_politely(world: World) -> None:
    _registered(world, BUYER)
    world.users.set_banned(UserId(BUYER), True)
    assert pre_checkout(world, BUYER, payload(BUYER)) == RU["checkout_banned"]


def test_the_refusal_reasons_are_all_different() -> None:
    keys = [k for k in RU if k.startswith("checkout_")]
    assert len({RU[k] for k in keys}) == len(keys) and len({EN[k] for k in keys}) == len(keys)


class _BrokenUsers:
    def get(self, user_id: UserId) -> None:
        raise RuntimeError("the store fell over")


def _with_shop(world: World, **changes: object) -> None:
    shop = replace(world.dialog.group(Shop), **changes)  # type: ignore[arg-type]
    groups = [shop if isinstance(g, Shop) else g for g in world.dialog.groups]
    object.__setattr__(world, "dialog", replace(world.dialog, groups=groups))


def test_a_checkout_that_fails_inside_is_refused_with_an_apology(world: World) -> None:
    checker = world.dialog.group(Shop).check_pre_checkout
    assert checker is not None
    _with_shop(world, check_pre_checkout=replace(checker, users=_BrokenUsers()))  # type: ignore[arg-type]
    assert pre_checkout(world, BUYER, payload(BUYER)) == RU["checkout_failed"]


def test_a_payment_that_fails_inside_is_not_called_free_and_reconciliation_credits_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _registered(world, BUYER)
    paid = take(world, BUYER, "charge-1")

    def storage_fault(*args: object) -> bool:
        raise RuntimeError("the store fell over")

    monkeypatch.setattr(world.ledger, "purchase", storage_fault)
    world.dialog.handle_payment(paid)
    monkeypatch.undo()
    # The payer hears it will be credited, never "nothing was charged".
    assert world.last_text(BUYER) == RU["payment_error"]
    assert world.ledger.balance(UserId(BUYER)).paid == 0

    report = world.container.reconcile_payments()()
    assert world.ledger.balance(UserId(BUYER)).paid == 10 and len(report.credited) == 1


# --- payments that cannot be honoured -----------------------------------------------------


def test_a_forged_payment_is_refunded_the_admins_are_told_and_nothing_is_credited(
    world: World,
) -> None:
    _registered(world, BUYER)
    pay(world, BUYER, "charge-x", text="pack:1000:1:XTR:1")

    assert world.gateway.refunds == [(UserId(BUYER), "charge-x")]
    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10)
    assert world.last_text(BUYER) == RU["payment_refunded_auto"].format(
        reason=RU["checkout_pack_gone"]
    )
    [alert] = world.messenger.texts(ADMIN)
    assert "charge-x" in alert and "Автовозврат" in alert
    assert world.container.payments().get("charge-x") is None  # a record is pages sold


@pytest.mark.parametrize(
    ("text", "total", "payer"),
    [("garbage", 50, BUYER), (payload(BUYER), 49, BUYER), (payload(OTHER), 50, BUYER)],
    ids=["forged", "amount", "not-buyer"],
)
def test_every_payment_that_cannot_be_honoured_goes_back(
    world: World, text: str, total: int, payer: int
) -> None:
    _registered(world, BUYER, OTHER)
    pay(world, payer, "charge-x", text=text, total=total)
    assert world.gateway.refunded("charge-x")
    assert world.ledger.balance(UserId(BUYER)).paid == world.ledger.balance(UserId(OTHER)).paid == 0


def test_an_unhonoured_payment_delivered_twice_is_refunded_once_and_told_once(world: World) -> None:
    _registered(world, BUYER)
    paid = pay(world, BUYER, "charge-x", text="garbage")
    world.dialog.handle_payment(replace(paid, update_id=paid.update_id + 100))
    assert world.gateway.refunds == [(UserId(BUYER), "charge-x")]
    assert len(world.messenger.texts(ADMIN)) == 1


def test_a_refund_that_fails_is_told_to_admins_and_tried_again_by_reconciliation(
    world: World,
) -> None:
    from paintcore.domain.errors import DeliveryFailed

    _registered(world, BUYER)
    world.gateway.refund_failures.append(DeliveryFailed("telegram is down"))
    pay(world, BUYER, "charge-x", text="garbage")

    assert not world.gateway.refunded("charge-x")
    assert world.last_text(BUYER) == RU["payment_refund_pending"]
    assert "telegram is down" in world.messenger.texts(ADMIN)[-1]

    report = world.container.reconcile_payments()()
    assert world.gateway.refunded("charge-x") and len(report.refunded) == 1
    again = world.container.reconcile_payments()()
    assert world.gateway.refunds == [(UserId(BUYER), "charge-x")] and not again.needs_attention


# --- offers elsewhere, texts, the console ---------------------------------------------------


def test_balance_offers_the_packs(world: World) -> None:
    world.say(BUYER, "/balance")
    [reply] = [m for m in world.messenger.to(BUYER) if m.text.startswith("Бесплатных")]
    assert _pack_data(reply.keyboard) == ["pack:10", "pack:30", "pack:100"]


def test_running_out_offers_the_packs_and_the_support_contact() -> None:
    world = build_world(free_credits=0)
    world.say(BUYER, "Получить раскраску")
    world.say(BUYER, "кот в шляпе")
    [reply] = world.messenger.to(BUYER)[-1:]
    assert "@paint_support" in reply.text and "закончились" in reply.text
    assert _pack_data(reply.keyboard) == ["pack:10", "pack:30", "pack:100"]


def test_terms_and_paysupport_name_the_support_contact_by_default(world: World) -> None:
    world.say(BUYER, "/terms")
    assert world.last_text(BUYER) == RU["terms"]
    world.say(BUYER, "/paysupport", language="en")
    assert world.last_text(BUYER) == EN["paysupport"].format(contact="@paint_support")


def test_configured_terms_replace_the_catalogs_in_their_language(world: World) -> None:
    _with_shop(world, terms={"en": "Our terms."}, paysupport={"ru": "Пишите @pay"})
    world.say(BUYER, "/terms", language="en")
    assert world.last_text(BUYER) == "Our terms."
    world.say(BUYER, "/terms")
    assert world.last_text(BUYER) == RU["terms"]
    world.say(BUYER, "/paysupport")
    assert world.last_text(BUYER) == "Пишите @pay"


def test_without_a_payment_provider_a_pack_points_at_telegram(world: World) -> None:
    _with_shop(world, send_invoice=None, refund_payment=None, card_payments=None)
    press(world, BUYER, "pack:10")
    assert world.gateway.invoices == []
    assert world.messenger.callback_answers[-1][1] == RU["payments_elsewhere"]
    world.say(BUYER, "/set pack:10")  # how the console presses a button
    assert world.gateway.invoices == []
    assert world.last_text(BUYER) == RU["payments_elsewhere"]
    world.say(ADMIN, "/refund charge-1")
    assert world.last_text(ADMIN) == RU["payments_elsewhere"]


def test_a_banned_user_gets_no_invoice(world: World) -> None:
    _registered(world, BUYER)
    world.users.set_banned(UserId(BUYER), True)
    press(world, BUYER, "pack:10")
    world.say(BUYER, "/buy")
    assert world.gateway.invoices == [] and world.last_text(BUYER) == RU["banned"]


def test_pages_are_named_in_their_grammatical_number() -> None:
    from paintcore.dialog import Texts
    from paintcore.dialog.shop_texts import pages_phrase

    ru, en = Texts("ru"), Texts("en")
    assert [pages_phrase(ru, n) for n in (1, 2, 5, 11, 12, 21, 22, 100, 111)] == [
        "1 раскраска",
        "2 раскраски",
        "5 раскрасок",
        "11 раскрасок",
        "12 раскрасок",
        "21 раскраска",
        "22 раскраски",
        "100 раскрасок",
        "111 раскрасок",
    ]
    assert [pages_phrase(en, n) for n in (1, 2, 21)] == ["1 page", "2 pages", "21 pages"]
