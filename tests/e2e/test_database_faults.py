"""The database failing: at start-up, during work (unreachable, or failing mid-transaction), and recovering.

An outage is real on each backend: on PostgreSQL the database stops accepting connections and the
bot's sessions are terminated; on SQLite another connection holds the write lock past the busy
timeout (shortened here to 0.3 s, so the test need not wait 15).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import event, select
from sqlalchemy import exc as sa
from sqlalchemy.engine import make_url

from bot.emulator import BotApiEmulator, SimulatedUser
from bot.emulator.models import BotMessage
from bot.i18n import t
from db.engine import create_engine
from db.models import Card, QuizItem, ReviewLog
from tests.conftest import POSTGRES_URL
from tests.e2e.quizzing import question_in, right_label

BUSY = t("en", "database_busy")
VALID_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_"


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite waits 0.3 s for a lock instead of 15, so a held lock becomes an outage quickly."""
    monkeypatch.setattr("db.engine.SQLITE_BUSY_TIMEOUT_MS", 300)


@asynccontextmanager
async def outage(database_url: str) -> AsyncIterator[None]:
    """The database unavailable to the bot until the block ends."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database or "", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("COMMIT")
            holder.close()
        return
    assert POSTGRES_URL is not None
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", url.database)
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS true')
        await admin.close()


async def stored(database_url: str, user_id: int) -> tuple[int, int, int]:
    """The user's answered items, cards and review logs."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            answered = (await connection.execute(select(QuizItem.id).where(QuizItem.answered_at.is_not(None)))).all()
            cards = (await connection.execute(select(Card.id).where(Card.user_id == user_id))).all()
            logs = (await connection.execute(select(ReviewLog.id).where(ReviewLog.user_id == user_id))).all()
    finally:
        await engine.dispose()
    return len(answered), len(cards), len(logs)


async def a_button_question(user: SimulatedUser) -> BotMessage:
    """Today's quiz, answered until a question with buttons comes up."""
    message = await user.ask("/quiz")
    while not message.flat_buttons:
        before = len(user.messages)
        await user.send(right_label(question_in(message, "en"), "en"))
        message = await user.wait_for(lambda messages: messages[before + 1] if len(messages) > before + 1 else None)
    return message


async def test_while_the_database_is_away_users_hear_try_again_and_it_recovers_by_itself(
    emulator: BotApiEmulator, bot, database_url: str  # type: ignore[no-untyped-def]
) -> None:
    ann = emulator.user(3001, "Ann", language_code="en")
    question = await a_button_question(ann)
    label = right_label(question_in(question, "en"), "en")
    before = await stored(database_url, ann.id)
    async with outage(database_url):
        popup = await ann.tap(question, label, timeout=10)
        reply = await ann.ask("/score", timeout=10)
    assert popup.text == BUSY and reply.text == BUSY
    assert await stored(database_url, ann.id) == before
    assert (await ann.tap(question, label)).text == "✅ Right"  # the same tap, once the database is back
    assert await stored(database_url, ann.id) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert not [m for m in ann.messages if "Sorry" in m.text or "locked" in m.text]


async def test_a_transaction_failing_half_way_leaves_nothing_half_written(
    emulator: BotApiEmulator, bot, database_url: str  # type: ignore[no-untyped-def]
) -> None:
    ann = emulator.user(3002, "Ann", language_code="en")
    question = await a_button_question(ann)
    label = right_label(question_in(question, "en"), "en")
    before = await stored(database_url, ann.id)
    engine = bot.application.bot_data.quiz.db.engine.sync_engine

    def connection_lost(conn, cursor, statement: str, *args: object) -> None:  # type: ignore[no-untyped-def]
        # By now the answer's UPDATE and the card's upsert ran in this transaction; the log would be last.
        if statement.lstrip().upper().startswith("INSERT INTO REVIEW_LOGS"):
            raise sa.OperationalError(statement, {}, ConnectionResetError("connection to the server was lost"))

    event.listen(engine, "before_cursor_execute", connection_lost)
    try:
        popup = await ann.tap(question, label, timeout=10)
    finally:
        event.remove(engine, "before_cursor_execute", connection_lost)
    assert popup.text == BUSY
    assert await stored(database_url, ann.id) == before  # no answer, no card, no log: all or nothing
    assert (await ann.tap(question, label)).text == "✅ Right"
    assert await stored(database_url, ann.id) == (before[0] + 1, before[1] + 1, before[2] + 1)


async def test_terminated_database_sessions_are_replaced_without_the_user_noticing(
    emulator: BotApiEmulator, bot, database_url: str  # type: ignore[no-untyped-def]
) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("sessions to terminate are PostgreSQL's")
    ann = emulator.user(3003, "Ann", language_code="en")
    question = await a_button_question(ann)
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://"))  # type: ignore[union-attr]
    try:
        ended = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
            make_url(database_url).database,
        )
    finally:
        await admin.close()
    assert ended >= 1
    assert (await ann.tap(question, right_label(question_in(question, "en"), "en"))).text == "✅ Right"


def _start_up(tmp_path: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=tmp_path,
        env={**clean, "TELEGRAM_BOT_TOKEN": VALID_TOKEN, "DATABASE_URL": database_url},
    )


START_UP_FAULTS: dict[str, Callable[[Path], str]] = {
    "nothing listens on the port": lambda _: "postgresql://quizbot:pw@127.0.0.1:1/quizbot",
    "the file's folder is a file": lambda tmp: f"sqlite:///{_a_file(tmp)}/quizbot.db",
}
if POSTGRES_URL:
    START_UP_FAULTS["no such database"] = lambda _: str(make_url(POSTGRES_URL).set(database="quizbot_missing_db"))


def _a_file(tmp_path: Path) -> Path:
    path = tmp_path / "not-a-folder"
    path.write_text("")
    return path


@pytest.mark.parametrize("fault", sorted(START_UP_FAULTS))
def test_an_unusable_database_at_start_up_stops_the_bot_with_one_line_and_a_non_zero_exit(
    tmp_path: Path, fault: str
) -> None:
    result = _start_up(tmp_path, START_UP_FAULTS[fault](tmp_path))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(lines) == 1 and lines[0].startswith("quizbot: cannot use the database"), result.stderr[-2000:]
    assert VALID_TOKEN not in result.stderr + result.stdout and "pw@" not in result.stderr
