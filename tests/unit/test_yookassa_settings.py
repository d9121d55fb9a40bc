"""YooKassa's settings: on only with both the shop id and the secret key, each value checked at
start-up with one message naming the variable (exit 2), the key never shown; its notification
path apart from Telegram's; and the notification URL `paintbot yookassa url` prints."""

from __future__ import annotations

import pytest

from adapters.yookassa import DEFAULT_API_URL
from adapters.yookassa.notifications import notification_token
from entrypoints import cli
from entrypoints.checkout_wiring import notification_url
from entrypoints.settings import SettingsError
from entrypoints.settings_loading import load_settings
from paintcore.domain.payments import Pack

KEY = "test_Zx8-secret_VALUE_42"
VARIABLES = (
    "YOOKASSA_SHOP_ID",
    "YOOKASSA_SECRET_KEY",
    "YOOKASSA_API_URL",
    "YOOKASSA_RECEIPT_EMAIL",
    "PAINTBOT_PACKS_RUB",
    "PAINTBOT_YOOKASSA_PATH",
    "PAINTBOT_YOOKASSA_RETURN_URL",
    "PAINTBOT_YOOKASSA_CHECK_IP",
    "PAINTBOT_YOOKASSA_POLL_SECONDS",
    "PAINTBOT_YOOKASSA_TOKEN",
    "BOT_TOKEN",
    "PAINTBOT_WEBHOOK_URL",
    "PAINTBOT_WEBHOOK_SECRET",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def invalid(monkeypatch: pytest.MonkeyPatch, **variables: str) -> str:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as bad:
        load_settings(None)
    message = str(bad.value)
    assert message.startswith("Invalid settings:\n")
    assert KEY not in message and "Zx8-secret" not in message
    return message


def test_yookassa_is_off_by_default_with_its_defaults_ready() -> None:
    s = load_settings(None)
    assert not s.yookassa_enabled and s.yookassa_secrets() == []
    assert s.packs_rub == (Pack(10, 149, "RUB"), Pack(30, 399, "RUB"), Pack(100, 990, "RUB"))
    assert (s.yookassa_api_url, s.yookassa_path) == (DEFAULT_API_URL, "/yookassa/notifications")
    assert (s.yookassa_check_ip, s.yookassa_poll_seconds) == (False, 30)


def test_shop_id_and_key_together_turn_it_on_and_the_key_is_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YOOKASSA_SHOP_ID", " 123456 ")
    monkeypatch.setenv("YOOKASSA_SECRET_KEY", f" {KEY}\t")
    monkeypatch.setenv("PAINTBOT_PACKS_RUB", "5:99, 50:1490")
    s = load_settings(None)
    assert s.yookassa_enabled and s.yookassa_shop_id == "123456"
    assert s.yookassa_secret_key is not None and s.yookassa_secret_key.get_secret_value() == KEY
    assert KEY in s.secrets() and KEY not in repr(s)
    assert s.packs_rub == (Pack(5, 99, "RUB"), Pack(50, 1490, "RUB"))


def test_a_shop_id_without_its_key_is_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    message = invalid(monkeypatch, YOOKASSA_SHOP_ID="123456")
    assert message.count("\n") == 1 and "YOOKASSA_SECRET_KEY" in message


def test_a_key_without_its_shop_id_is_one_error_not_showing_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = invalid(monkeypatch, YOOKASSA_SECRET_KEY=KEY)
    assert message.count("\n") == 1 and "YOOKASSA_SHOP_ID" in message


@pytest.mark.parametrize(
    "variables",
    [{"YOOKASSA_SHOP_ID": "123456"}, {"YOOKASSA_SECRET_KEY": KEY}],
    ids=["shop-id-alone", "key-alone"],
)
def test_half_of_yookassa_exits_2_with_one_message(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variables: dict[str, str],
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["check"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("Invalid settings:") and "YOOKASSA_" in captured.err
    assert KEY not in captured.err + captured.out


@pytest.mark.parametrize(
    "key", ["secret", "live_short", "prod_abcdefgh12", "test_has space1", KEY + "!"]
)
def test_a_key_of_the_wrong_shape_is_named_but_not_shown(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    message = invalid(monkeypatch, YOOKASSA_SHOP_ID="123456", YOOKASSA_SECRET_KEY=key)
    assert "YOOKASSA_SECRET_KEY" in message and key not in message


@pytest.mark.parametrize("shop", ["abc", "12 34", "-1", "1" * 21, "١٢٣"])
def test_a_shop_id_that_is_not_a_number_is_named(
    monkeypatch: pytest.MonkeyPatch, shop: str
) -> None:
    message = invalid(monkeypatch, YOOKASSA_SHOP_ID=shop, YOOKASSA_SECRET_KEY=KEY)
    assert "YOOKASSA_SHOP_ID" in message


@pytest.mark.parametrize("packs", ["10", "10:x", "0:149", "10:0", "10:149,10:150", ",", "10:1.5"])
def test_bad_rouble_packs_are_named(monkeypatch: pytest.MonkeyPatch, packs: str) -> None:
    message = invalid(monkeypatch, PAINTBOT_PACKS_RUB=packs)
    assert message.count("\n") == 1 and "PAINTBOT_PACKS_RUB" in message


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PAINTBOT_YOOKASSA_PATH", "yookassa"),
        ("PAINTBOT_YOOKASSA_PATH", "/"),
        ("PAINTBOT_YOOKASSA_PATH", "/healthz"),
        ("PAINTBOT_YOOKASSA_PATH", "/a b"),
        ("PAINTBOT_YOOKASSA_PATH", "/pay?token=1"),
        ("YOOKASSA_RECEIPT_EMAIL", "receipts"),
        ("YOOKASSA_RECEIPT_EMAIL", "a@b"),
        ("YOOKASSA_RECEIPT_EMAIL", "a b@example.com"),
        ("YOOKASSA_API_URL", "api.yookassa.ru/v3"),
        ("YOOKASSA_API_URL", "ftp://api.yookassa.ru"),
        ("PAINTBOT_YOOKASSA_RETURN_URL", "t.me/paint_bot"),
        ("PAINTBOT_YOOKASSA_CHECK_IP", "perhaps"),
        ("PAINTBOT_YOOKASSA_POLL_SECONDS", "0"),
        ("PAINTBOT_YOOKASSA_POLL_SECONDS", "3601"),
        ("PAINTBOT_YOOKASSA_POLL_SECONDS", "often"),
    ],
)
def test_a_malformed_value_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    message = invalid(
        monkeypatch, YOOKASSA_SHOP_ID="123456", YOOKASSA_SECRET_KEY=KEY, **{variable: value}
    )
    assert message.count("\n") == 1 and variable in message


def test_every_bad_yookassa_variable_is_named_in_one_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = invalid(
        monkeypatch,
        YOOKASSA_SHOP_ID="shop",
        YOOKASSA_SECRET_KEY=KEY,
        YOOKASSA_RECEIPT_EMAIL="nobody",
        PAINTBOT_PACKS_RUB="lots",
    )
    for name in ("YOOKASSA_SHOP_ID", "YOOKASSA_RECEIPT_EMAIL", "PAINTBOT_PACKS_RUB"):
        assert name in message


def test_urls_and_the_path_are_kept_without_a_trailing_slash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YOOKASSA_API_URL", "http://127.0.0.1:9000/v3/")
    monkeypatch.setenv("PAINTBOT_YOOKASSA_RETURN_URL", "https://t.me/paint_bot/")
    monkeypatch.setenv("PAINTBOT_YOOKASSA_PATH", " /pay/notify/ ")
    s = load_settings(None)
    assert s.yookassa_api_url == "http://127.0.0.1:9000/v3"
    assert s.yookassa_return_url == "https://t.me/paint_bot"
    assert s.yookassa_path == "/pay/notify"


def _webhook(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:telegram-token-for-tests")
    monkeypatch.setenv("PAINTBOT_WEBHOOK_URL", url)
    monkeypatch.setenv("PAINTBOT_WEBHOOK_SECRET", "hook-secret")


def test_the_notification_path_must_differ_from_the_webhooks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _webhook(monkeypatch, "https://bot.example.com/yookassa/notifications")
    monkeypatch.setenv("YOOKASSA_SHOP_ID", "123456")
    monkeypatch.setenv("YOOKASSA_SECRET_KEY", KEY)
    with pytest.raises(SettingsError) as bad:
        load_settings(None).require_webhook()
    assert "PAINTBOT_YOOKASSA_PATH" in str(bad.value) and KEY not in str(bad.value)

    monkeypatch.setenv("PAINTBOT_YOOKASSA_PATH", "/yookassa/elsewhere")
    assert load_settings(None).require_webhook()[1].endswith("/yookassa/notifications")


def test_the_same_path_is_fine_while_yookassa_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    _webhook(monkeypatch, "https://bot.example.com/yookassa/notifications")
    assert load_settings(None).require_webhook()


def test_the_notification_url_is_the_webhooks_origin_the_path_and_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YOOKASSA_SHOP_ID", "123456")
    monkeypatch.setenv("YOOKASSA_SECRET_KEY", KEY)
    token = notification_token("123456", KEY)
    assert notification_url(load_settings(None)) == f"/yookassa/notifications?token={token}"

    _webhook(monkeypatch, "https://bot.example.com:8443/tg/hook")
    monkeypatch.setenv("PAINTBOT_YOOKASSA_PATH", "/pay")
    url = notification_url(load_settings(None))
    assert url == f"https://bot.example.com:8443/pay?token={token}"
    assert KEY not in url


def test_an_operators_own_token_replaces_the_derived_one_and_is_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = "0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("YOOKASSA_SHOP_ID", "123456")
    monkeypatch.setenv("YOOKASSA_SECRET_KEY", KEY)
    monkeypatch.setenv("PAINTBOT_YOOKASSA_TOKEN", f" {chosen}\n")

    settings = load_settings(None)

    assert notification_url(settings) == f"/yookassa/notifications?token={chosen}"
    assert chosen in settings.secrets()  # redacted from every log line


@pytest.mark.parametrize("token", ["short", "has space inside it!!", "x" * 129])
def test_a_malformed_token_is_named_but_not_shown(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    message = invalid(monkeypatch, PAINTBOT_YOOKASSA_TOKEN=token)
    assert "PAINTBOT_YOOKASSA_TOKEN" in message and token not in message


def test_yookassa_url_prints_the_url_and_needs_yookassa_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    assert cli.main(["yookassa", "url"]) == 2
    assert "YOOKASSA_SHOP_ID" in capsys.readouterr().err

    monkeypatch.setenv("YOOKASSA_SHOP_ID", "123456")
    monkeypatch.setenv("YOOKASSA_SECRET_KEY", KEY)
    assert cli.main(["yookassa", "url"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"/yookassa/notifications?token={notification_token('123456', KEY)}")
    assert KEY not in out
