"""Settings from the environment or a .env file, validated strictly at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from adapters.openai_images import RETIRED_MODELS
from paintcore.dialog import SUPPORTED

# openai 3.54 marks dall-e-2/3 retired (2026-05-12) and gpt-image-1 shut down (2026-10-23), naming
# gpt-image-2.5-sunburst as the replacement: see docs/ARCHITECTURE.md, "Image model".
DEFAULT_IMAGE_MODEL = "gpt-image-2.5-sunburst"


class SettingsError(Exception):
    """One message naming every bad variable; the CLI prints it and exits with code 2."""


def _split(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    bot_token: SecretStr | None = Field(None, alias="BOT_TOKEN")
    admin_ids: Annotated[tuple[int, ...], NoDecode] = Field((), alias="ADMIN_IDS")
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    mongodb_uri: SecretStr | None = Field(None, alias="MONGODB_URI")
    redis_url: SecretStr | None = Field(None, alias="REDIS_URL")
    db_path: Path = Field(Path("paintbot.sqlite3"), alias="PAINTBOT_DB_PATH")
    telegram_api_url: str = Field("https://api.telegram.org", alias="PAINTBOT_TELEGRAM_API_URL")
    image_model: str = Field(DEFAULT_IMAGE_MODEL, alias="PAINTBOT_IMAGE_MODEL", min_length=1)
    free_generations: int = Field(10, alias="PAINTBOT_FREE_GENERATIONS", ge=0, le=10_000)
    support_contact: str = Field("", alias="PAINTBOT_SUPPORT_CONTACT")
    welcome_photos: Annotated[tuple[str, ...], NoDecode] = Field(
        (), alias="PAINTBOT_WELCOME_PHOTOS"
    )
    language: str = Field("ru", alias="PAINTBOT_LANGUAGE")
    generation_concurrency: int = Field(8, alias="PAINTBOT_GENERATION_CONCURRENCY", ge=1, le=256)
    broadcast_rate: float = Field(25, alias="PAINTBOT_BROADCAST_RATE", gt=0, le=1000)
    webhook_url: str | None = Field(None, alias="PAINTBOT_WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(None, alias="PAINTBOT_WEBHOOK_SECRET")
    output_dir: Path = Field(Path("paintbot-output"), alias="PAINTBOT_OUTPUT_DIR")
    log_format: Literal["console", "json"] | None = Field(None, alias="PAINTBOT_LOG_FORMAT")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", alias="PAINTBOT_LOG_LEVEL"
    )
    job_timeout: float = Field(600, alias="PAINTBOT_JOB_TIMEOUT", gt=0)

    @field_validator("admin_ids", "welcome_photos", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split(value)

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

    def require_bot_token(self) -> str:
        """The bot token; SettingsError when it is missing (only Telegram modes need it)."""
        token = self.bot_token.get_secret_value().strip() if self.bot_token else ""
        if not token:
            raise SettingsError(
                "Invalid settings:\n  BOT_TOKEN: required to talk to Telegram (get one from @BotFather)"
            )
        return token

    def secrets(self) -> list[str]:
        """Every secret value set, for the log redactor."""
        values = (
            self.bot_token,
            self.openai_api_key,
            self.mongodb_uri,
            self.redis_url,
            self.webhook_secret,
        )
        return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Settings from the environment (and `env_file`); SettingsError naming every bad variable."""
    try:
        settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
    return settings


def _describe(exc: ValidationError) -> str:
    fields = Settings.model_fields
    lines = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "?"
        variable = fields[name].alias if name in fields and fields[name].alias else name.upper()
        given = error.get("input")
        shown = (
            ""
            if variable in _SECRET_VARIABLES or not isinstance(given, str)
            else f" (got {given!r})"
        )
        lines.append(f"  {variable}: {error['msg']}{shown}")
    return "Invalid settings:\n" + "\n".join(lines)


_SECRET_VARIABLES = {
    "BOT_TOKEN",
    "OPENAI_API_KEY",
    "MONGODB_URI",
    "REDIS_URL",
    "PAINTBOT_WEBHOOK_SECRET",
}
