"""Reading the settings: the environment and a `.env` file into `Settings`, or one message naming
every bad variable (the CLI prints it and exits 2)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from .settings import Settings, SettingsError


def load_settings(env_file: str | Path | None = None) -> Settings:
    """Settings from the environment and `env_file`, which must exist if given; SettingsError
    naming every bad variable, or the file when it cannot be read."""
    if env_file is not None and not Path(env_file).exists():
        raise SettingsError(f"Invalid settings:\n  {env_file}: no such file")
    if env_file is not None and Path(env_file).is_dir():
        raise SettingsError(f"Invalid settings:\n  {env_file}: a folder, not a settings file")
    try:
        settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
    except UnicodeDecodeError:
        raise SettingsError(
            f"Invalid settings:\n  {env_file}: line {_first_undecodable_line(env_file)} is not "
            "UTF-8 text; save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise SettingsError(f"Invalid settings:\n  {env_file}: {exc.strerror}") from None
    return settings


def _first_undecodable_line(env_file: str | Path | None) -> int:
    # Counted here: the decoder's error position is relative to the chunk it was reading.
    lines = Path(env_file).read_bytes().splitlines() if env_file is not None else []
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return len(lines)


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
    "YOOKASSA_SECRET_KEY",
    "PAINTBOT_YOOKASSA_TOKEN",
}
