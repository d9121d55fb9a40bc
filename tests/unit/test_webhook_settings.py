"""Webhook settings: the address to listen on, a URL Telegram can call, a secret it accepts, and
one message naming what `paintbot webhook` is missing."""

from __future__ import annotations

import pytest

from entrypoints.settings import SettingsError
from entrypoints.settings_loading import load_settings

WEBHOOK_VARIABLES = (
    "BOT_TOKEN",
    "PAINTBOT_TELEGRAM_API_URL",
    "PAINTBOT_WEBHOOK_URL",
    "PAINTBOT_WEBHOOK_SECRET",
    "PAINTBOT_WEBHOOK_LISTEN",
    "PAINTBOT_METRICS_LISTEN",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in WEBHOOK_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def invalid(monkeypatch: pytest.MonkeyPatch, **variables: str) -> str:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as bad:
        load_settings(None)
    return str(bad.value)


def test_the_default_address_is_loopback_8080() -> None:
    assert load_settings(None).webhook_address == ("127.0.0.1", 8080)


@pytest.mark.parametrize(
    ("listen", "address"),
    [("0.0.0.0:80", ("0.0.0.0", 80)), ("[::1]:8443", ("::1", 8443)), (" host:1 ", ("host", 1))],
)
def test_an_address_is_host_and_port(
    monkeypatch: pytest.MonkeyPatch, listen: str, address: tuple[str, int]
) -> None:
    monkeypatch.setenv("PAINTBOT_WEBHOOK_LISTEN", listen)
    assert load_settings(None).webhook_address == address


@pytest.mark.parametrize(
    "listen", ["8080", ":8080", "host:", "host:0", "host:65536", "a b:1", "h:x"]
)
def test_a_bad_address_is_named(monkeypatch: pytest.MonkeyPatch, listen: str) -> None:
    message = invalid(monkeypatch, PAINTBOT_WEBHOOK_LISTEN=listen)
    assert "PAINTBOT_WEBHOOK_LISTEN" in message and message.count("\n") == 1


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://bot.example.com/tg", "https://"),
        ("https://bot.example.com:8080/tg", "ports 443, 80, 88 and 8443"),
        ("https:///tg", "host"),
        ("https://bot.example.com/tg?x=1", "query"),
        ("https://bot.example.com:port/tg", "PAINTBOT_WEBHOOK_URL"),
        ("https://bot.example.com/healthz", "/healthz"),
    ],
)
def test_telegram_calls_only_https_on_its_ports(
    monkeypatch: pytest.MonkeyPatch, url: str, why: str
) -> None:
    message = invalid(monkeypatch, PAINTBOT_WEBHOOK_URL=url)
    assert "PAINTBOT_WEBHOOK_URL" in message and why in message


@pytest.mark.parametrize(
    "url", ["https://bot.example.com/tg", "https://bot.example.com:8443/a/b", "https://h:88"]
)
def test_a_url_telegram_can_call_is_kept(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("PAINTBOT_WEBHOOK_URL", url)
    assert load_settings(None).webhook_url == url


def test_a_self_hosted_bot_api_server_may_call_plain_http_on_any_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAINTBOT_TELEGRAM_API_URL", "http://127.0.0.1:8081")
    monkeypatch.setenv("PAINTBOT_WEBHOOK_URL", "http://127.0.0.1:8080/tg")
    assert load_settings(None).webhook_url == "http://127.0.0.1:8080/tg"


@pytest.mark.parametrize("secret", ["a" * 257, "has space", "ключ", "semi;colon", "a+b"])
def test_a_secret_telegram_would_refuse_is_named_but_not_shown(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    message = invalid(monkeypatch, PAINTBOT_WEBHOOK_SECRET=secret)
    assert "PAINTBOT_WEBHOOK_SECRET" in message and secret not in message


@pytest.mark.parametrize("secret", ["a", "A-z_09" * 40, "x" * 256])
def test_a_secret_telegram_accepts_is_kept_and_redacted(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("PAINTBOT_WEBHOOK_SECRET", secret)
    settings = load_settings(None)
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == secret and secret in settings.secrets()


def test_the_webhook_needs_token_url_and_secret_all_named_at_once() -> None:
    with pytest.raises(SettingsError) as missing:
        load_settings(None).require_webhook()
    message = str(missing.value)
    for name in ("BOT_TOKEN", "PAINTBOT_WEBHOOK_URL", "PAINTBOT_WEBHOOK_SECRET"):
        assert f"  {name}: required" in message


def test_the_webhook_settings_when_all_are_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:AAH-token")
    monkeypatch.setenv("PAINTBOT_WEBHOOK_URL", "https://bot.example.com/tg")
    monkeypatch.setenv("PAINTBOT_WEBHOOK_SECRET", "abc")
    assert load_settings(None).require_webhook() == (
        "123456:AAH-token",
        "https://bot.example.com/tg",
        "abc",
    )
