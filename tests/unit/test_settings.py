"""Settings: strict validation with one message naming every bad variable; secrets never logged."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import structlog

from entrypoints import cli
from entrypoints.logging import configure_logging
from entrypoints.settings import DEFAULT_IMAGE_MODEL, SettingsError
from entrypoints.settings_loading import load_settings

ALL_VARIABLES = [
    "BOT_TOKEN",
    "ADMIN_IDS",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "MONGODB_URI",
    "REDIS_URL",
    "PAINTBOT_DB_PATH",
    "PAINTBOT_STORAGE",
    "PAINTBOT_TELEGRAM_API_URL",
    "PAINTBOT_IMAGE_MODEL",
    "PAINTBOT_FREE_GENERATIONS",
    "PAINTBOT_SUPPORT_CONTACT",
    "PAINTBOT_WELCOME_PHOTOS",
    "PAINTBOT_LANGUAGE",
    "PAINTBOT_GENERATION_CONCURRENCY",
    "PAINTBOT_BROADCAST_RATE",
    "PAINTBOT_BROADCAST_PAID",
    "PAINTBOT_WEBHOOK_URL",
    "PAINTBOT_WEBHOOK_SECRET",
    "PAINTBOT_WEBHOOK_LISTEN",
    "PAINTBOT_OUTPUT_DIR",
    "PAINTBOT_LOG_FORMAT",
    "PAINTBOT_LOG_LEVEL",
    "PAINTBOT_JOB_TIMEOUT",
    "PAINTBOT_PACKS",
    "PAINTBOT_TERMS_RU",
    "PAINTBOT_TERMS_EN",
    "PAINTBOT_PAYSUPPORT_RU",
    "PAINTBOT_PAYSUPPORT_EN",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_need_no_configuration() -> None:
    s = load_settings(None)
    assert s.free_generations == 10 and s.language == "ru" and s.generation_concurrency == 8
    assert s.db_path == Path("paintbot.sqlite3") and s.admin_ids == () and s.bot_token is None
    assert s.image_model == DEFAULT_IMAGE_MODEL and "dall-e" not in s.image_model


def test_packs_default_to_three_and_are_read_as_pages_and_stars(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert [(p.pages, p.price, p.currency) for p in load_settings(None).packs] == [
        (10, 50, "XTR"),
        (30, 120, "XTR"),
        (100, 350, "XTR"),
    ]
    monkeypatch.setenv("PAINTBOT_PACKS", " 50:200 , 5:25 ")
    assert [(p.pages, p.price) for p in load_settings(None).packs] == [(5, 25), (50, 200)]


@pytest.mark.parametrize(
    "value", ["10", "10:x", "0:50", "10:0", "10:50,10:60", ",", "10:50:XTR", "20000:5"]
)
def test_a_bad_pack_list_stops_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PAINTBOT_PACKS", value)
    with pytest.raises(SettingsError, match=r"PAINTBOT_PACKS"):
        load_settings(None)


def test_a_bad_pack_list_exits_2_with_one_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAINTBOT_PACKS", "ten:50")
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Invalid settings:") and "PAINTBOT_PACKS" in err


@pytest.mark.parametrize(
    ("rate", "paid", "ok"),
    [
        ("25", None, True),
        ("30", "false", True),
        ("31", None, False),  # over Telegram's free limit
        ("1000", "true", True),
        ("1001", "true", False),
        ("0", "true", False),
        ("fast", None, False),
    ],
)
def test_the_broadcast_rate_is_bounded_by_telegrams_limits(
    monkeypatch: pytest.MonkeyPatch, rate: str, paid: str | None, ok: bool
) -> None:
    monkeypatch.setenv("PAINTBOT_BROADCAST_RATE", rate)
    if paid is not None:
        monkeypatch.setenv("PAINTBOT_BROADCAST_PAID", paid)
    if ok:
        assert load_settings(None).broadcast_rate == float(rate)
    else:
        with pytest.raises(SettingsError, match=r"PAINTBOT_BROADCAST_RATE"):
            load_settings(None)


def test_a_broadcast_rate_over_30_without_paid_broadcasts_exits_2_naming_both(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAINTBOT_BROADCAST_RATE", "100")
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Invalid settings:") and "PAINTBOT_BROADCAST_PAID=true" in err


def test_terms_and_paysupport_texts_are_optional_per_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings(None).shop_texts("terms") == {}
    monkeypatch.setenv("PAINTBOT_TERMS_EN", "  Line one\\nline two ")
    monkeypatch.setenv("PAINTBOT_PAYSUPPORT_RU", "Пишите @pay")
    monkeypatch.setenv("PAINTBOT_PAYSUPPORT_EN", "   ")
    s = load_settings(None)
    assert s.shop_texts("terms") == {"en": "Line one\nline two"}
    assert s.shop_texts("paysupport") == {"ru": "Пишите @pay"}


@pytest.mark.parametrize("model", ["dall-e-3", "DALL-E-2", "gpt-image-1"])
def test_a_retired_image_model_stops_start_up(monkeypatch: pytest.MonkeyPatch, model: str) -> None:
    monkeypatch.setenv("PAINTBOT_IMAGE_MODEL", model)
    with pytest.raises(SettingsError, match=r"PAINTBOT_IMAGE_MODEL.*retired"):
        load_settings(None)


def test_comma_separated_lists_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", " 12, 34 ,")
    monkeypatch.setenv("PAINTBOT_WELCOME_PHOTOS", "AgAD1,AgAD2")
    s = load_settings(None)
    assert s.admin_ids == (12, 34) and s.welcome_photos == ("AgAD1", "AgAD2")


def test_every_bad_variable_is_named_in_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "12,abc")
    monkeypatch.setenv("PAINTBOT_FREE_GENERATIONS", "-1")
    monkeypatch.setenv("PAINTBOT_LANGUAGE", "de")
    monkeypatch.setenv("PAINTBOT_GENERATION_CONCURRENCY", "zero")
    monkeypatch.setenv("PAINTBOT_TELEGRAM_API_URL", "ftp://x")
    monkeypatch.setenv("PAINTBOT_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError) as bad:
        load_settings(None)
    message = str(bad.value)
    for name in (
        "ADMIN_IDS",
        "PAINTBOT_FREE_GENERATIONS",
        "PAINTBOT_LANGUAGE",
        "PAINTBOT_GENERATION_CONCURRENCY",
        "PAINTBOT_TELEGRAM_API_URL",
        "PAINTBOT_LOG_FORMAT",
    ):
        assert name in message


def test_a_bad_secret_is_named_but_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAINTBOT_WEBHOOK_SECRET", "")
    monkeypatch.setenv("PAINTBOT_FREE_GENERATIONS", "many")
    monkeypatch.setenv("BOT_TOKEN", "123:super-secret-token")
    with pytest.raises(SettingsError) as bad:
        load_settings(None)
    assert "super-secret-token" not in str(bad.value)


def test_env_file_is_read(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "PAINTBOT_FREE_GENERATIONS=3\nPAINTBOT_SUPPORT_CONTACT=@help\n", encoding="utf-8"
    )
    s = load_settings(env)
    assert s.free_generations == 3 and s.support_contact == "@help"


def test_a_mongodb_uri_must_look_like_one_and_is_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MONGODB_URI", "postgres://user:pw@db/paint")
    with pytest.raises(SettingsError, match="MONGODB_URI") as bad:
        load_settings(None)
    assert "pw@" not in str(bad.value)
    monkeypatch.setenv("MONGODB_URI", "mongodb://user:pw@db/paint")
    assert load_settings(None).mongodb_uri is not None


@pytest.mark.usefixtures("restore_logging")
def test_logs_are_json_with_context_and_secrets_redacted() -> None:
    stream = io.StringIO()
    configure_logging(fmt="json", level="INFO", secrets=["123:super-secret-token"], stream=stream)
    logging.getLogger("paintcore.test").info(
        "job finished", extra={"job_id": "j1", "user_id": 5, "state": "succeeded"}
    )
    structlog.get_logger("adapters.test").info(
        "calling https://api/bot123:super-secret-token/getMe", update_id=9
    )

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["event"] == "job finished" and first["job_id"] == "j1" and first["user_id"] == 5
    assert first["state"] == "succeeded" and first["level"] == "info"
    assert second["update_id"] == 9
    assert "super-secret-token" not in stream.getvalue() and "***" in second["event"]


@pytest.mark.usefixtures("restore_logging")
def test_logs_go_to_stderr_as_it_is_when_they_are_written(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stderr", first)
    configure_logging(fmt="json", level="INFO")
    # Whoever set stderr up (a test's capture) replaces and closes it; threads still log.
    monkeypatch.setattr("sys.stderr", second)
    first.close()

    logging.getLogger("paintcore.test").info("after the swap")

    assert json.loads(second.getvalue())["event"] == "after the swap"


PADDINGS = [(" ", "\r\n"), ("\ufeff", "\n"), ("\t", " \r\n")]


@pytest.mark.parametrize(("before", "after"), PADDINGS)
def test_padded_secrets_are_used_and_redacted_without_their_padding(
    monkeypatch: pytest.MonkeyPatch, before: str, after: str
) -> None:
    values = {
        "BOT_TOKEN": "123456:AAH-token_value",
        "OPENAI_API_KEY": "sk-proj-key-value",
        "MONGODB_URI": "mongodb://paint:mongo-pw@db.example.net/paintbot",
        "REDIS_URL": "redis://:redis-pw@cache:6379/0",
        "PAINTBOT_WEBHOOK_SECRET": "webhook-secret",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, before + value + after)

    s = load_settings(None)

    assert s.require_bot_token() == values["BOT_TOKEN"]
    assert s.openai_api_key is not None
    assert s.openai_api_key.get_secret_value() == values["OPENAI_API_KEY"]
    assert s.mongodb_uri is not None
    assert s.mongodb_uri.get_secret_value() == values["MONGODB_URI"]
    assert set(values.values()) <= set(s.secrets())


def test_a_quoted_token_in_an_env_file_with_crlf_lines_is_stripped(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_bytes(
        b'\xef\xbb\xbfBOT_TOKEN=" 123456:AAH-token "\r\nPAINTBOT_SUPPORT_CONTACT=@help\r\n'
    )
    s = load_settings(env)
    assert s.require_bot_token() == "123456:AAH-token" and s.support_contact == "@help"


def test_a_blank_secret_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", " \r\n")
    monkeypatch.setenv("MONGODB_URI", "")
    monkeypatch.setenv("BOT_TOKEN", "\ufeff")
    s = load_settings(None)
    assert s.openai_api_key is None and s.mongodb_uri is None and s.secrets() == []
    with pytest.raises(SettingsError, match="BOT_TOKEN: required"):
        s.require_bot_token()


@pytest.mark.parametrize(
    "token", ["123456:AAH token", "123 456:AAH-token", "AAH-token", "987654:", ":AAH", "1:ключ"]
)
def test_a_bot_token_of_the_wrong_shape_is_named_but_not_shown(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", token)
    with pytest.raises(SettingsError, match="BOT_TOKEN") as bad:
        load_settings(None)
    assert token.strip(":") not in str(bad.value)


@pytest.mark.parametrize("key", ["sk-proj key", "sk-ключ", "sk-\tkey"])
def test_an_openai_key_that_cannot_be_sent_is_named_but_not_shown(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", key)
    with pytest.raises(SettingsError, match="OPENAI_API_KEY") as bad:
        load_settings(None)
    assert key not in str(bad.value)


@pytest.mark.parametrize("seconds", ["inf", "1e12", "nan", "0", "0.5", "-600", "86401"])
def test_job_timeout_outside_a_second_to_a_day_is_refused(
    monkeypatch: pytest.MonkeyPatch, seconds: str
) -> None:
    monkeypatch.setenv("PAINTBOT_JOB_TIMEOUT", seconds)
    with pytest.raises(SettingsError, match="PAINTBOT_JOB_TIMEOUT"):
        load_settings(None)


@pytest.mark.parametrize(
    ("seconds", "expected"), [(None, 600.0), ("1", 1.0), ("8", 8.0), ("86400", 86400.0)]
)
def test_job_timeout_within_range_is_kept(
    monkeypatch: pytest.MonkeyPatch, seconds: str | None, expected: float
) -> None:
    if seconds is not None:
        monkeypatch.setenv("PAINTBOT_JOB_TIMEOUT", seconds)
    assert load_settings(None).job_timeout == expected


@pytest.mark.parametrize("ids", ["0", "5,-1", str(2**52), "99999999999999999999"])
def test_admin_ids_must_be_telegram_user_ids(monkeypatch: pytest.MonkeyPatch, ids: str) -> None:
    monkeypatch.setenv("ADMIN_IDS", ids)
    with pytest.raises(SettingsError, match="ADMIN_IDS"):
        load_settings(None)


def test_the_largest_telegram_user_id_is_an_admin_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", f"1,{2**52 - 1}")
    assert load_settings(None).admin_ids == (1, 2**52 - 1)


def test_an_env_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    env = tmp_path / "settings.env"
    env.write_bytes("PAINTBOT_FREE_GENERATIONS=3\nPAINTBOT_SUPPORT_CONTACT=Тётя\n".encode("cp1251"))
    with pytest.raises(SettingsError) as bad:
        load_settings(env)
    assert str(env) in str(bad.value) and "UTF-8" in str(bad.value) and "line 2" in str(bad.value)


def test_an_env_file_that_does_not_exist_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"no-such\.env: no such file"):
        load_settings(tmp_path / "no-such.env")


@pytest.mark.usefixtures("restore_logging")
def test_every_form_a_secret_takes_in_a_log_line_is_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token, password = "123456:AAH-token_value", "p@ss/word-secret"
    monkeypatch.setenv("BOT_TOKEN", f" {token}\r\n")
    monkeypatch.setenv("MONGODB_URI", f"mongodb://paint:{quote(password, safe='')}@db/paintbot")
    stream = io.StringIO()
    configure_logging(
        fmt="json", level="DEBUG", secrets=load_settings(None).secrets(), stream=stream
    )
    log = structlog.get_logger("adapters.test")

    log.debug(f'"POST /bot{token}/sendPhoto HTTP/1.1" 502')
    log.warning(f"Max retries exceeded with url: /bot{quote(token)}/getUpdates")
    log.info("form", body=f"token={quote_plus(token)}", parts=[token.split(":")[1]])
    log.info("nested", request={"auth": {"password": password}}, error=ValueError(password))
    log.info(f"url-encoded password {quote(password, safe='')}")
    logging.getLogger("pymongo.test").warning("auth failed for %s", password)

    text = stream.getvalue()
    for secret in (token, password):
        for form in (secret, quote(secret), quote(secret, safe=""), quote_plus(secret)):
            assert form not in text
    assert "AAH-token_value" not in text and "/bot***/sendPhoto" in text
    assert len(text.splitlines()) == 6


@pytest.mark.usefixtures("restore_logging")
def test_an_unexpected_error_is_printed_without_the_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "123456:AAH-token_value"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", f"{token}\r\n")

    def fail(_: object) -> int:
        raise RuntimeError(f"Max retries exceeded with url: /bot{token}/getMe")

    monkeypatch.setattr(cli, "_check", fail)

    assert cli.main(["check"]) == 1
    printed = capsys.readouterr().err
    assert "RuntimeError: Max retries exceeded with url: /bot***/getMe" in printed
    assert "AAH-token_value" not in printed


def test_storage_follows_mongodb_uri_unless_named(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(None).storage_kind == "sqlite"
    monkeypatch.setenv("MONGODB_URI", "mongodb://db.example.net/paintbot")
    assert load_settings(None).storage_kind == "mongo"
    monkeypatch.setenv("PAINTBOT_STORAGE", " Memory ")
    assert load_settings(None).storage_kind == "memory"


@pytest.mark.parametrize(
    ("value", "message"),
    [("disk", "'memory', 'sqlite' or 'mongo'"), ("mongo", "mongo needs MONGODB_URI")],
)
def test_a_storage_that_cannot_be_built_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.setenv("PAINTBOT_STORAGE", value)
    with pytest.raises(SettingsError, match=rf"PAINTBOT_STORAGE: .*{message}"):
        load_settings(None)


def test_memory_storage_runs_the_console_and_keeps_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAINTBOT_STORAGE", "memory")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"/start\n/balance\n")))

    assert cli.main(["console"]) == 0

    assert "10" in capsys.readouterr().out
    assert not (tmp_path / "paintbot.sqlite3").exists()
