"""Settings, read once from the environment and a .env file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.engine import normalize_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'quizbot.db'}"
TOKEN_PATTERN = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,64}$")
PLACEHOLDER_TOKENS = {"changeme", "your-token-here", "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"}
# Telegram allows 1-256 of these characters; we ask for 32 or more, as secrets.token_urlsafe(32) gives.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,256}$")
PLACEHOLDER_WORDS = ("change", "secret", "example", "placeholder", "your", "xxxx", "1234")
NEW_SECRET_HINT = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Webhook:
    """Where Telegram posts updates, and the secret it sends along."""

    url: str
    secret: str

    @property
    def path(self) -> str:
        """The path the workers answer on: the public URL's (the proxy passes it through)."""
        return urlsplit(self.url).path or "/"


class Settings(BaseSettings):
    """Everything the bot can be configured with; see .env.example."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_base_url: str = "https://api.telegram.org/file/bot"
    database_url: str = DEFAULT_DATABASE_URL
    quiz_length: int = Field(default=5, ge=1, le=20)
    reviews_per_day: int = Field(default=50, ge=1, le=1000)
    reminder_sweep_seconds: int = Field(default=60, ge=0, le=3600)
    messages_per_second: float = Field(default=25.0, gt=0, le=30)
    chat_burst: int = Field(default=3, ge=1, le=20)
    telegram_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    user_updates_per_minute: int = Field(default=60, ge=0, le=6000)
    log_level: str = "INFO"
    admin_ids: list[int] = Field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=32)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        try:
            return normalize_url(value).render_as_string(hide_password=False)
        except Exception as error:  # noqa: BLE001 - any parse failure is the same mistake to the user
            raise ValueError(f"DATABASE_URL is not a sqlite:// or postgresql:// URL ({error})") from None

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL is one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    def token(self) -> str:
        """The bot token, checked for shape; raises SettingsError if it is missing or malformed."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value().strip():
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in .env")
        token = self.telegram_bot_token.get_secret_value().strip()
        if token in PLACEHOLDER_TOKENS or not TOKEN_PATTERN.match(token):
            raise SettingsError("TELEGRAM_BOT_TOKEN is malformed: it looks like 123456789:AA... from @BotFather")
        return token

    def webhook(self) -> Webhook:
        """The webhook, checked; raises SettingsError when its URL or secret is missing or unsafe."""
        url = self.webhook_url.strip()
        if not url:
            raise SettingsError("WEBHOOK_URL is not set: the https:// address Telegram posts updates to")
        parts = urlsplit(url)
        loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS  # a local Bot API server or emulator
        if not (parts.scheme == "https" or loopback) or not parts.hostname:
            raise SettingsError("WEBHOOK_URL must be an https:// URL (Telegram posts to nothing else)")
        if self.webhook_secret is None or not self.webhook_secret.get_secret_value().strip():
            raise SettingsError(f"WEBHOOK_SECRET is not set: {NEW_SECRET_HINT}")
        secret = self.webhook_secret.get_secret_value().strip()
        weak = any(word in secret.lower() for word in PLACEHOLDER_WORDS) or len(set(secret)) < 12
        if not WEBHOOK_SECRET_PATTERN.match(secret) or weak:
            raise SettingsError(f"WEBHOOK_SECRET is too weak (32+ random letters, digits, _ or -): {NEW_SECRET_HINT}")
        if self.workers > 1 and normalize_url(self.database_url).get_backend_name() != "postgresql":
            raise SettingsError("WORKERS: several workers need PostgreSQL; SQLite serves one process")
        return Webhook(url, secret)

    @property
    def has_token(self) -> bool:
        """Whether a token is configured at all."""
        return self.telegram_bot_token is not None and bool(self.telegram_bot_token.get_secret_value().strip())


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raises SettingsError with one readable line when they are invalid."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as error:
        details = getattr(error, "errors", lambda: [])()
        first = details[0]["msg"].removeprefix("Value error, ") if details else str(error)
        field = details[0]["loc"][0] if details and details[0]["loc"] else "settings"
        raise SettingsError(f"{str(field).upper()}: {first}") from None
