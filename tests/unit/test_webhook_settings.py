"""Webhook settings: an https URL and a strong secret, or a one-line refusal saying what to do."""

import secrets

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings

TOKEN = "123456789:" + "A" * 35
STRONG = secrets.token_urlsafe(32)


def webhook(**settings: object):  # type: ignore[no-untyped-def]
    return load_settings(_env_file=None, **settings).webhook()


def test_a_strong_secret_and_an_https_url_make_a_webhook_on_the_urls_path() -> None:
    hook = webhook(webhook_url="https://bot.example.org/quizbot/telegram", webhook_secret=STRONG)
    assert (hook.secret, hook.path) == (STRONG, "/quizbot/telegram")


@pytest.mark.parametrize(
    "secret",
    ["", "changeme", "short-but-random-Q7x", "my-webhook-secret-that-is-long-enough-1", "a" * 40, "ab" * 20, STRONG + "!"],
)
def test_a_missing_placeholder_short_repetitive_or_malformed_secret_is_refused(secret: str) -> None:
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET") as refusal:
        webhook(webhook_url="https://bot.example.org/telegram", webhook_secret=secret)
    assert "token_urlsafe" in str(refusal.value) and "\n" not in str(refusal.value)


@pytest.mark.parametrize("url", ["", "http://bot.example.org/telegram", "ftp://bot.example.org/", "https:///telegram"])
def test_the_url_must_be_https_except_on_this_machine(url: str) -> None:
    with pytest.raises(SettingsError, match="WEBHOOK_URL"):
        webhook(webhook_url=url, webhook_secret=STRONG)
    assert webhook(webhook_url="http://127.0.0.1:8080/telegram", webhook_secret=STRONG).path == "/telegram"


def test_several_workers_need_postgresql() -> None:
    with pytest.raises(SettingsError, match="WORKERS"):
        webhook(webhook_url="https://bot.example.org/t", webhook_secret=STRONG, workers=2, database_url="sqlite:///x.db")
    hook = webhook(webhook_url="https://bot.example.org/t", webhook_secret=STRONG, workers=2, database_url="postgresql://h/db")
    assert hook.url == "https://bot.example.org/t"


def test_run_webhook_without_a_url_stops_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "")
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main(["run", "--webhook"]) == 2
    assert capsys.readouterr().err.startswith("quizbot: WEBHOOK_URL is not set")
