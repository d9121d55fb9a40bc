"""Settings: strict validation with one message naming every bad variable; secrets never logged."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
import structlog

from entrypoints.logging import configure_logging
from entrypoints.settings import DEFAULT_IMAGE_MODEL, SettingsError, load_settings

ALL_VARIABLES = [
    "BOT_TOKEN",
    "ADMIN_IDS",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "MONGODB_URI",
    "REDIS_URL",
    "PAINTBOT_DB_PATH",
    "PAINTBOT_TELEGRAM_API_URL",
    "PAINTBOT_IMAGE_MODEL",
    "PAINTBOT_FREE_GENERATIONS",
    "PAINTBOT_SUPPORT_CONTACT",
    "PAINTBOT_WELCOME_PHOTOS",
    "PAINTBOT_LANGUAGE",
    "PAINTBOT_GENERATION_CONCURRENCY",
    "PAINTBOT_BROADCAST_RATE",
    "PAINTBOT_WEBHOOK_URL",
    "PAINTBOT_WEBHOOK_SECRET",
    "PAINTBOT_OUTPUT_DIR",
    "PAINTBOT_LOG_FORMAT",
    "PAINTBOT_LOG_LEVEL",
    "PAINTBOT_JOB_TIMEOUT",
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
