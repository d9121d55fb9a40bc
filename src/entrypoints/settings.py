"""Settings from the environment or a .env file, validated strictly at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from adapters.openai_images import RETIRED_MODELS
from adapters.telegram.webhook import webhook_path
from adapters.telegram.webhook_app import HEALTH_PATH
from paintcore.dialog import SUPPORTED
from paintcore.domain.payments import Pack, parse_packs

from .settings_yookassa import YooKassaSettings

# openai 3.54 marks dall-e-2/3 retired (2026-05-12) and gpt-image-1 shut down (2026-10-23), naming
# gpt-image-2.5-sunburst as the replacement: see docs/ARCHITECTURE.md, "Image model".
DEFAULT_IMAGE_MODEL = "gpt-image-2.5-sunburst"
DEFAULT_PACKS = "10:50,30:120,100:350"  # pages:Stars


# Telegram user ids have at most 52 significant bits (Bot API docs); SQLite stores them as 64-bit.
TELEGRAM_ID_LIMIT = 2**52
# What @BotFather hands out: the bot's id, a colon, then a URL-safe secret.
_BOT_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
# The key travels in an HTTP header, which takes printable ASCII only.
_HEADER_TOKEN = re.compile(r"[!-~]+")
# A stray space, a token file's CRLF, the BOM a Windows editor puts in front.
_PADDING = re.compile(r"^[\s\ufeff]+|[\s\ufeff]+$")
# setWebhook's secret_token: Telegram takes 1-256 of these and sends it back in a header.
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
OFFICIAL_BOT_API = "https://api.telegram.org"
# Telegram's own servers deliver webhooks over HTTPS to these ports only.
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)


class SettingsError(Exception):
    """One message naming every bad variable; the CLI prints it and exits with code 2."""


def telegram_id(value: int) -> int:
    """`value` if it can be a Telegram user id, else ValueError."""
    if not 0 < value < TELEGRAM_ID_LIMIT:
        raise ValueError(f"{value} is not a Telegram user id (1 to {TELEGRAM_ID_LIMIT - 1})")
    return value


def parse_listen(text: str) -> tuple[str, int]:
    """`host:port` (`[::1]:8080` for IPv6) -> (host, port); ValueError naming what is wrong."""
    host, colon, port = text.strip().rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not colon or not host or any(c.isspace() or c in "[]/" for c in host):
        raise ValueError("must be host:port, e.g. 127.0.0.1:8080 or [::1]:8080")
    if not (port.isascii() and port.isdigit()) or not 1 <= int(port) <= 65535:
        raise ValueError("the port must be a number from 1 to 65535")
    return host, int(port)


def _split(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


# Telegram delivers about 30 messages per second per bot before it answers 429.
FREE_BROADCAST_RATE = 30


class Settings(YooKassaSettings):
    """Every setting; YooKassa's are in `YooKassaSettings` (settings_yookassa.py)."""

    # env_ignore_empty: `NAME=` (as .env.example lists every setting) means "the default".
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        env_ignore_empty=True,
    )

    bot_token: SecretStr | None = Field(None, alias="BOT_TOKEN")
    admin_ids: Annotated[tuple[int, ...], NoDecode] = Field((), alias="ADMIN_IDS")
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    mongodb_uri: SecretStr | None = Field(None, alias="MONGODB_URI")
    redis_url: SecretStr | None = Field(None, alias="REDIS_URL")
    db_path: Path = Field(Path("paintbot.sqlite3"), alias="PAINTBOT_DB_PATH")
    # Which store: "memory" (nothing kept: demos and tests), "sqlite" or "mongo"; unset means
    # mongo when MONGODB_URI is set, else sqlite.
    storage: Literal["memory", "sqlite", "mongo"] | None = Field(None, alias="PAINTBOT_STORAGE")
    telegram_api_url: str = Field("https://api.telegram.org", alias="PAINTBOT_TELEGRAM_API_URL")
    image_model: str = Field(DEFAULT_IMAGE_MODEL, alias="PAINTBOT_IMAGE_MODEL", min_length=1)
    free_generations: int = Field(10, alias="PAINTBOT_FREE_GENERATIONS", ge=0, le=10_000)
    support_contact: str = Field("", alias="PAINTBOT_SUPPORT_CONTACT")
    welcome_photos: Annotated[tuple[str, ...], NoDecode] = Field(
        (), alias="PAINTBOT_WELCOME_PHOTOS"
    )
    language: str = Field("ru", alias="PAINTBOT_LANGUAGE")
    generation_concurrency: int = Field(8, alias="PAINTBOT_GENERATION_CONCURRENCY", ge=1, le=256)
    # Telegram's paid broadcasts (allow_paid_broadcast: up to 1 000 messages/s, 0.1 Star each
    # from the bot's balance); declared before the rate, whose ceiling it raises from 30.
    broadcast_paid: bool = Field(False, alias="PAINTBOT_BROADCAST_PAID")
    broadcast_rate: float = Field(25, alias="PAINTBOT_BROADCAST_RATE", gt=0, le=1000)
    webhook_url: str | None = Field(None, alias="PAINTBOT_WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(None, alias="PAINTBOT_WEBHOOK_SECRET")
    # Where `paintbot webhook` listens (behind a reverse proxy that terminates TLS).
    webhook_listen: str = Field("127.0.0.1:8080", alias="PAINTBOT_WEBHOOK_LISTEN")
    # Where this process serves Prometheus' /metrics (unset: nowhere); declared after the
    # webhook's address, which it may not share (metrics stay off the public path).
    metrics_listen: str | None = Field(None, alias="PAINTBOT_METRICS_LISTEN")
    output_dir: Path = Field(Path("paintbot-output"), alias="PAINTBOT_OUTPUT_DIR")
    log_format: Literal["console", "json"] | None = Field(None, alias="PAINTBOT_LOG_FORMAT")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", alias="PAINTBOT_LOG_LEVEL"
    )
    # The lease of a running page (its worker renews it every quarter of this). A typo guard,
    # not a tuning range: under a second the heartbeat would be all the worker does; over a
    # day a vanished worker's page holds its credit longer than anyone waits, and far beyond
    # (1e12, inf) the recovery's date arithmetic overflows.
    job_timeout: float = Field(600, alias="PAINTBOT_JOB_TIMEOUT", ge=1, le=86_400)
    # What a user can buy with Telegram Stars, "pages:stars,..."; one pack per number of pages.
    packs: Annotated[tuple[Pack, ...], NoDecode] = Field(
        parse_packs(DEFAULT_PACKS), alias="PAINTBOT_PACKS"
    )
    # Telegram's rules for digital goods: /terms and /paysupport; unset -> the catalogs' texts.
    terms_ru: str | None = Field(None, alias="PAINTBOT_TERMS_RU")
    terms_en: str | None = Field(None, alias="PAINTBOT_TERMS_EN")
    paysupport_ru: str | None = Field(None, alias="PAINTBOT_PAYSUPPORT_RU")
    paysupport_en: str | None = Field(None, alias="PAINTBOT_PAYSUPPORT_EN")

    @field_validator(
        "bot_token", "openai_api_key", "mongodb_uri", "redis_url", "webhook_secret", mode="before"
    )
    @classmethod
    def _unpadded(cls, value: object) -> object:
        # Once, here: what is used and what the log redactor hides must be the same string.
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            return _PADDING.sub("", value) or None
        return value

    @field_validator("bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _BOT_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError(
                "must look like 123456:ABC-def as @BotFather gives it "
                "(digits, a colon, then letters, digits, _ and -)"
            )
        return value

    @field_validator("openai_api_key")
    @classmethod
    def _openai_key_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _HEADER_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("must be printable ASCII with no spaces inside")
        return value

    @field_validator("admin_ids")
    @classmethod
    def _admin_ids_are_telegram_ids(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        for admin in value:
            telegram_id(admin)
        return value

    @field_validator("admin_ids", "welcome_photos", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split(value)

    @field_validator("packs", mode="before")
    @classmethod
    def _packs(cls, value: object) -> object:
        return parse_packs(value) if isinstance(value, str) else value

    @field_validator("terms_ru", "terms_en", "paysupport_ru", "paysupport_en")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        # A .env file has no newlines in a value: "\n" written there is one.
        if value is None:
            return None
        return value.strip().replace("\\n", "\n") or None

    @field_validator("language", "log_level", mode="before")
    @classmethod
    def _normalise_case(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value.lower() not in SUPPORTED:
            raise ValueError(f"must be one of {', '.join(SUPPORTED)}")
        return value.lower()

    @field_validator("mongodb_uri")
    @classmethod
    def _mongodb_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("mongodb://", "mongodb+srv://")
        ):
            raise ValueError("must start with mongodb:// or mongodb+srv://")
        return value

    @field_validator("image_model")
    @classmethod
    def _current_model(cls, value: str) -> str:
        if value.strip().lower() in RETIRED_MODELS:
            raise ValueError(
                f"{value} is retired; use a current GPT image model such as {DEFAULT_IMAGE_MODEL}"
            )
        return value.strip()

    @field_validator("telegram_api_url", "webhook_url", "openai_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_telegram_can_call(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Declared after PAINTBOT_TELEGRAM_API_URL, so that one is validated already. Telegram's
        # own servers call only https on 443, 80, 88 or 8443; a self-hosted Bot API server
        # (`telegram-bot-api --local`) and the tests' fake may call plain http on any port.
        if value is None:
            return None
        parts = urlsplit(value)
        if not parts.hostname:
            raise ValueError("must name a host, e.g. https://bot.example.com/telegram")
        if parts.query or parts.fragment:
            raise ValueError("must have no ?query or #fragment: its path is where the bot listens")
        if unquote(parts.path) == HEALTH_PATH:
            raise ValueError(f"its path cannot be {HEALTH_PATH}, where load balancers check health")
        port = parts.port  # ValueError for a port that is not a number
        if info.data.get("telegram_api_url", OFFICIAL_BOT_API) != OFFICIAL_BOT_API:
            return value
        if parts.scheme != "https":
            raise ValueError("must start with https:// (Telegram calls webhooks over HTTPS only)")
        if (port or 443) not in TELEGRAM_WEBHOOK_PORTS:
            raise ValueError(
                "Telegram calls webhooks only on ports 443, 80, 88 and 8443 "
                "(put the bot behind a reverse proxy on one of them)"
            )
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError(
                "must be 1 to 256 characters, each a letter A-Z or a-z, a digit, _ or - "
                "(Telegram's rule for the webhook's secret token)"
            )
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _listen_address(cls, value: str) -> str:
        parse_listen(value)
        return value.strip()

    @field_validator("metrics_listen")
    @classmethod
    def _metrics_off_the_webhook(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        _, port = parse_listen(value)
        webhook = info.data.get("webhook_listen")
        if webhook is not None and parse_listen(webhook)[1] == port:
            raise ValueError(
                "must not use the webhook's port (PAINTBOT_WEBHOOK_LISTEN): "
                "metrics stay off the public path"
            )
        return value.strip()

    @field_validator("broadcast_rate")
    @classmethod
    def _broadcast_rate_within_telegrams(cls, value: float, info: ValidationInfo) -> float:
        if value > FREE_BROADCAST_RATE and not info.data.get("broadcast_paid"):
            raise ValueError(
                f"at most {FREE_BROADCAST_RATE} messages per second (Telegram's limit); "
                "up to 1000 with PAINTBOT_BROADCAST_PAID=true"
            )
        return value

    @field_validator("storage", mode="before")
    @classmethod
    def _storage_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("storage")
    @classmethod
    def _mongo_needs_its_uri(cls, value: str | None, info: ValidationInfo) -> str | None:
        # MONGODB_URI is declared (so validated) before PAINTBOT_STORAGE.
        if value == "mongo" and info.data.get("mongodb_uri") is None:
            raise ValueError("mongo needs MONGODB_URI")
        return value

    @property
    def storage_kind(self) -> Literal["memory", "sqlite", "mongo"]:
        """The store the container builds (PAINTBOT_STORAGE, or what MONGODB_URI implies)."""
        if self.storage is not None:
            return self.storage
        return "mongo" if self.mongodb_uri is not None else "sqlite"

    def shop_texts(self, prefix: str) -> dict[str, str]:
        """The configured `terms` or `paysupport` text per language (only those set)."""
        texts = {lang: getattr(self, f"{prefix}_{lang}") for lang in ("ru", "en")}
        return {lang: text for lang, text in texts.items() if text}

    def require_bot_token(self) -> str:
        """The bot token; SettingsError when it is missing (only Telegram modes need it)."""
        if self.bot_token is None:
            raise SettingsError(
                "Invalid settings:\n  BOT_TOKEN: required to talk to Telegram (get one from @BotFather)"
            )
        return self.bot_token.get_secret_value()

    @property
    def webhook_address(self) -> tuple[str, int]:
        """PAINTBOT_WEBHOOK_LISTEN as (host, port)."""
        return parse_listen(self.webhook_listen)

    @property
    def metrics_address(self) -> tuple[str, int] | None:
        """PAINTBOT_METRICS_LISTEN as (host, port); None when metrics are off."""
        return None if self.metrics_listen is None else parse_listen(self.metrics_listen)

    def require_webhook(self) -> tuple[str, str, str]:
        """The bot token, the webhook's URL and its secret; SettingsError naming every one that
        is missing (only `paintbot webhook` needs them)."""
        token = self.bot_token.get_secret_value() if self.bot_token else ""
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        url = self.webhook_url or ""
        needed = (
            ("BOT_TOKEN", token, "required to talk to Telegram (get one from @BotFather)"),
            ("PAINTBOT_WEBHOOK_URL", url, "required: the public https URL Telegram calls"),
            (
                "PAINTBOT_WEBHOOK_SECRET",
                secret,
                "required: 1 to 256 of A-Z a-z 0-9 _ - (e.g. `openssl rand -hex 32`)",
            ),
        )
        missing = [f"  {name}: {why}" for name, value, why in needed if not value]
        if url and self.yookassa_enabled and webhook_path(url) == self.yookassa_path:
            missing.append(
                "  PAINTBOT_YOOKASSA_PATH: must differ from the path of PAINTBOT_WEBHOOK_URL"
            )
        if missing:
            raise SettingsError("Invalid settings:\n" + "\n".join(missing))
        return token, url, secret

    def secrets(self) -> list[str]:
        """Every secret value set, for the log redactor, with the parts that show up on their
        own: the token's part after the colon (the id before it is public), a URI's password."""
        found = [
            v.get_secret_value()
            for v in (self.bot_token, self.openai_api_key, self.webhook_secret)
            if v is not None
        ]
        if self.bot_token is not None:
            found.append(self.bot_token.get_secret_value().partition(":")[2])
        for url in (self.mongodb_uri, self.redis_url):
            found += url_secrets(url.get_secret_value()) if url is not None else []
        return found + self.yookassa_secrets()


def url_secrets(url: str) -> list[str]:
    """A URL with credentials for the log redactor: the URL and its password (which drivers
    quote on their own, percent-decoded or not)."""
    head = url.partition("://")[2].partition("?")[0]
    at = head.rfind("@")  # the last one: an unescaped @ in a password must not split it
    password = head[:at].partition(":")[2] if at >= 0 else ""
    return [url, password] if password else [url]
