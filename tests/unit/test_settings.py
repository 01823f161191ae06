"""Settings: every one documented in .env.example, bad values refused with a readable line."""

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_env_example_lists_every_setting_with_a_comment() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for name in Settings.model_fields:
        key = name.upper()
        index = next((i for i, line in enumerate(lines) if line.startswith(f"{key}=")), None)
        assert index is not None, f"{key} is missing from .env.example"
        assert lines[index - 1].startswith("#"), f"{key} has no comment above it"


def test_plain_database_urls_get_their_async_driver() -> None:
    assert load_settings(_env_file=None, database_url="sqlite:///x.db").database_url == "sqlite+aiosqlite:///x.db"
    assert load_settings(_env_file=None, database_url="postgresql://u@h/db").database_url == "postgresql+asyncpg://u@h/db"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [("database_url", "mysql://h/db", "DATABASE_URL"), ("quiz_length", 0, "QUIZ_LENGTH"), ("log_level", "LOUD", "LOG_LEVEL")],
)
def test_a_bad_setting_is_named_in_one_line(field: str, value: object, says: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, **{field: value})
    assert str(error.value).startswith(says) and "\n" not in str(error.value)


@pytest.mark.parametrize("token", ["", "changeme", "123:short", "abc:defghijklmnopqrstuvwxyz0123456789"])
def test_a_missing_or_malformed_token_is_refused(token: str) -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        load_settings(_env_file=None, telegram_bot_token=token).token()
