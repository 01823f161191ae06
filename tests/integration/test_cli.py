"""The `quizbot` command as a user runs it: clear one-line errors, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

VALID_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_"


def quizbot(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "QUIZ_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,  # no .env here
        env={**clean, "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", **env},
    )


def test_run_without_a_token_says_so_in_one_line(tmp_path: Path) -> None:
    result = quizbot("run", tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "quizbot: TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in .env"


def test_run_with_a_malformed_token_says_so_without_echoing_it(tmp_path: Path) -> None:
    result = quizbot("run", tmp_path=tmp_path, TELEGRAM_BOT_TOKEN="not-a-token-secret")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is malformed" in result.stderr
    assert "not-a-token-secret" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_ends_start_up_with_one_line(tmp_path: Path) -> None:
    result = quizbot(
        "run",
        tmp_path=tmp_path,
        TELEGRAM_BOT_TOKEN=VALID_TOKEN,
        DATABASE_URL="postgresql://quizbot:secret-password@127.0.0.1:1/quizbot",
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("quizbot: cannot use the database postgresql+asyncpg://quizbot:***@127.0.0.1:1/quizbot")
    assert "secret-password" not in result.stderr
    assert VALID_TOKEN not in result.stderr


def test_a_database_url_of_another_kind_is_refused(tmp_path: Path) -> None:
    result = quizbot("db", "upgrade", tmp_path=tmp_path, DATABASE_URL="mysql://localhost/quiz")
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_migrates_and_loads_questions_idempotently(tmp_path: Path) -> None:
    first = quizbot("db", "upgrade", tmp_path=tmp_path)
    second = quizbot("db", "upgrade", tmp_path=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "added, 0 updated, 0 retired, 0 unchanged" in first.stdout
    assert "0 added, 0 updated, 0 retired" in second.stdout


@pytest.mark.parametrize("args", [("questions", "check"), ("questions", "export", "--format", "json")])
def test_question_tools_run_from_the_command(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = quizbot(*args, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_play_chats_in_the_terminal_offline(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "play", "--language", "en"],
        input="/start\n/quiz\n/quit\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"},
    )
    assert result.returncode == 0, result.stderr
    assert "Hello You!" in result.stdout
    assert "Question 1/5" in result.stdout
