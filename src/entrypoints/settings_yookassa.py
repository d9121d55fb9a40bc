"""YooKassa's settings (the second payment provider: bank cards and SBP), a part of `Settings`.

Enabled by YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY together; either alone stops start-up."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode

from adapters.telegram.webhook_app import HEALTH_PATH
from adapters.yookassa import DEFAULT_API_URL
from paintcore.domain.payments import Pack, parse_packs

DEFAULT_PACKS_RUB = "10:149,30:399,100:990"  # pages:roubles
DEFAULT_YOOKASSA_PATH = "/yookassa/notifications"
# YooKassa's secret keys: "live_" or "test_" and then a URL-safe token.
_YOOKASSA_KEY = re.compile(r"(live|test)_[A-Za-z0-9_-]{8,}")
_SHOP_ID = re.compile(r"[0-9]{1,20}")
_PATH = re.compile(r"/[A-Za-z0-9._~/-]{0,200}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")


class YooKassaSettings(BaseSettings):
    yookassa_shop_id: str | None = Field(None, alias="YOOKASSA_SHOP_ID")
    yookassa_secret_key: SecretStr | None = Field(
        None, alias="YOOKASSA_SECRET_KEY", validate_default=True
    )
    yookassa_api_url: str = Field(DEFAULT_API_URL, alias="YOOKASSA_API_URL")
    # What a user can buy by card or SBP, "pages:roubles,..."; one pack per number of pages.
    packs_rub: Annotated[tuple[Pack, ...], NoDecode] = Field(
        parse_packs(DEFAULT_PACKS_RUB, currency="RUB"), alias="PAINTBOT_PACKS_RUB"
    )
    # 54-FZ: a receipt goes with each payment when a contact for it is set.
    yookassa_receipt_email: str | None = Field(None, alias="YOOKASSA_RECEIPT_EMAIL")
    # Where the webhook server takes YooKassa's notifications (`paintbot yookassa url` prints
    # the whole URL to paste into YooKassa's settings, its token included).
    yookassa_path: str = Field(DEFAULT_YOOKASSA_PATH, alias="PAINTBOT_YOOKASSA_PATH")
    # Where YooKassa's page sends the buyer back; unset: the bot's own t.me link.
    yookassa_return_url: str | None = Field(None, alias="PAINTBOT_YOOKASSA_RETURN_URL")
    # Require notifications to come from YooKassa's published addresses.
    yookassa_check_ip: bool = Field(False, alias="PAINTBOT_YOOKASSA_CHECK_IP")
    # How often open orders are asked about (the only way without a webhook server).
    yookassa_poll_seconds: float = Field(30, alias="PAINTBOT_YOOKASSA_POLL_SECONDS", ge=1, le=3600)
    # The notification URL's token; unset: derived from the shop id and the secret key (HMAC).
    yookassa_token: SecretStr | None = Field(None, alias="PAINTBOT_YOOKASSA_TOKEN")

    @field_validator("yookassa_shop_id", "yookassa_receipt_email", "yookassa_return_url")
    @classmethod
    def _stripped(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("yookassa_shop_id")
    @classmethod
    def _shop_id_shape(cls, value: str | None) -> str | None:
        if value is not None and not _SHOP_ID.fullmatch(value):
            raise ValueError("must be the shop's number from YooKassa's dashboard, e.g. 123456")
        return value

    @field_validator("yookassa_secret_key", mode="before")
    @classmethod
    def _key_unpadded(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return value.strip() or None if isinstance(value, str) else value

    @field_validator("yookassa_secret_key")
    @classmethod
    def _key_with_shop(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # Declared after YOOKASSA_SHOP_ID (validated already); validated even when unset, so a
        # shop id without its key is named here.
        shop = info.data.get("yookassa_shop_id")
        if value is None:
            if shop is not None:
                raise ValueError("required with YOOKASSA_SHOP_ID (both enable YooKassa)")
            return None
        if not _YOOKASSA_KEY.fullmatch(value.get_secret_value()):
            raise ValueError("must look like live_... or test_... as YooKassa's dashboard gives it")
        if shop is None:
            raise ValueError("needs a valid YOOKASSA_SHOP_ID as well (both enable YooKassa)")
        return value

    @field_validator("yookassa_api_url", "yookassa_return_url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("packs_rub", mode="before")
    @classmethod
    def _packs_rub(cls, value: object) -> object:
        return parse_packs(value, currency="RUB") if isinstance(value, str) else value

    @field_validator("yookassa_receipt_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.fullmatch(value):
            raise ValueError("must be an e-mail address, e.g. receipts@example.com")
        return value

    @field_validator("yookassa_path")
    @classmethod
    def _path(cls, value: str) -> str:
        value = value.strip().rstrip("/") or "/"
        if not _PATH.fullmatch(value) or value in ("/", HEALTH_PATH):
            raise ValueError("must be a path such as /yookassa/notifications")
        return value

    @field_validator("yookassa_token", mode="before")
    @classmethod
    def _token_unpadded(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return value.strip() or None if isinstance(value, str) else value

    @field_validator("yookassa_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("must be 16 to 128 of A-Z a-z 0-9 _ - (e.g. `openssl rand -hex 24`)")
        return value

    @property
    def yookassa_enabled(self) -> bool:
        return self.yookassa_shop_id is not None and self.yookassa_secret_key is not None

    def yookassa_secrets(self) -> list[str]:
        return [v.get_secret_value() for v in (self.yookassa_secret_key, self.yookassa_token) if v]
