"""SQLite with many writers at once: no "database is locked" ever reaches a user.

12 users take today's quiz at the same moment while another connection (another process would do
the same: SQLite locks the file) keeps taking the write lock, 10 ms in every 50. Every bot
transaction starts with BEGIN IMMEDIATE and waits out the busy timeout instead of failing.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.emulator import BotApiEmulator
from bot.i18n import t
from db.engine import create_engine
from db.models import QuizItem, ReviewLog
from tests.e2e.quizzing import take_quiz

USERS = 12  # the bot's overall pace (25 messages a second) bounds how fast they can all finish
QUIZ = [True, False, True, True, False]


class LockHogger(threading.Thread):
    """Another writer: takes SQLite's write lock again and again, holding it 10 ms in every 50."""

    def __init__(self, path: str) -> None:
        super().__init__(daemon=True)
        self.path, self.stop, self.transactions = path, threading.Event(), 0

    def run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=15)
        while not self.stop.is_set():
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE questions SET updated_at = updated_at WHERE id = (SELECT min(id) FROM questions)")
            time.sleep(0.01)
            connection.execute("COMMIT")
            self.transactions += 1
            time.sleep(0.04)
        connection.close()


async def test_many_writers_at_once_never_show_a_user_a_locked_database(
    emulator: BotApiEmulator, bot, database_url: str, caplog: pytest.LogCaptureFixture  # type: ignore[no-untyped-def]
) -> None:
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("SQLite's single writer is the point")
    caplog.set_level(logging.WARNING)
    users = [emulator.user(4000 + n, f"User {n}", language_code="en") for n in range(USERS)]
    hogger = LockHogger(make_url(database_url).database or "")
    hogger.start()
    started = time.monotonic()
    try:
        runs = await asyncio.gather(*(take_quiz(user, QUIZ, language="en") for user in users))
    finally:
        hogger.stop.set()
        hogger.join()
    elapsed = time.monotonic() - started
    assert all("You scored 3/5" in run.final.text for run in runs)
    said = [m.text for user in users for m in user.messages]
    assert not [text for text in said if "locked" in text or text in (t("en", "database_busy"), t("en", "error_apology"))]
    assert "database is locked" not in caplog.text
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        answered = await connection.scalar(select(func.count()).select_from(QuizItem).where(QuizItem.answered_at.is_not(None)))
        logged = await connection.scalar(select(func.count()).select_from(ReviewLog))
    await engine.dispose()
    assert answered == logged == USERS * len(QUIZ)
    print(
        f"\nSQLite writers: {USERS} users answered {answered} questions at once in {elapsed:.1f} s while another "
        f"connection took the write lock {hogger.transactions} times; no user saw a locked database"
    )
