"""The running bot, over HTTP, against the Bot API emulator, on each database under test."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import pytest
from telegram.ext import Application

from bot.app import build_application, polling, prepare_database
from bot.emulator import BotApiEmulator
from bot.settings import Settings


class RunningBot:
    """The bot as `quizbot run` starts it, but on a loop the test owns, so it can be stopped and started."""

    def __init__(self, settings: Settings, token: str, clock) -> None:  # type: ignore[no-untyped-def]
        self.settings, self.token, self.clock = settings, token, clock
        self.application: Application | None = None
        self._running: AbstractAsyncContextManager[Application] | None = None
        self._seed = 0

    async def start(self) -> None:
        """Build a fresh application (nothing carried over in memory) and start polling."""
        self._seed += 1
        seed = self._seed
        self.application = build_application(
            self.settings, token=self.token, clock=self.clock, rng=lambda: random.Random(seed)
        )
        self._running = polling(self.application, timeout=1)
        await self._running.__aenter__()

    async def stop(self) -> None:
        """Stop polling and release the database."""
        if self._running is not None:
            await self._running.__aexit__(None, None, None)
            self._running = None

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database."""
        await self.stop()
        await self.start()


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """A Bot API emulator on a free loopback port."""
    async with BotApiEmulator() as emu:
        yield emu


@pytest.fixture
def settings(emulator: BotApiEmulator, database_url: str) -> Settings:
    """Settings pointing the bot at the emulator and the test database."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        telegram_api_base_url=emulator.base_url,
        telegram_api_file_base_url=emulator.base_file_url,
        quiz_length=5,
        reminder_sweep_seconds=0,  # tests run the sweep themselves, at the clock's time
        chat_burst=20,  # simulated users answer far faster than people
        user_updates_per_minute=0,  # and would be taken for a flood (tests/e2e/test_flood.py sets its own)
    )


@pytest.fixture
async def bot(emulator: BotApiEmulator, settings: Settings, clock) -> AsyncIterator[RunningBot]:  # type: ignore[no-untyped-def]
    """The bot, migrated and loaded, polling the emulator."""
    await prepare_database(settings, clock)
    running = RunningBot(settings, emulator.token, clock)
    await running.start()
    yield running
    await running.stop()
