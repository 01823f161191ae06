"""A flood: one user sends hundreds of updates a second; they are slowed down, politely, and nobody else is.

A dozen others keep asking /help throughout, about once a second each (the pace of one chat); their waits are measured before the flood and during it.
The bot runs with the production limits: 60 updates a minute per user (20 at once) and a chat burst of 3.
"""

from __future__ import annotations

import asyncio
import random
import statistics
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.app import build_application, polling, prepare_database
from bot.emulator import BotApiEmulator, SimulatedUser
from bot.i18n import t
from bot.settings import Settings

FLOOD = 500
FLOODER, OTHERS = 8001, range(8101, 8113)
NOTICE = t("en", "flood_notice")


@pytest.fixture
async def application(emulator: BotApiEmulator, tmp_path: Path, clock) -> AsyncIterator[Application]:  # type: ignore[no-untyped-def]
    """The bot with the production limits."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'flood.db'}",
        telegram_api_base_url=emulator.base_url,
        telegram_api_file_base_url=emulator.base_file_url,
        reminder_sweep_seconds=0,
    )
    await prepare_database(settings, clock)
    running = build_application(settings, token=emulator.token, clock=clock, rng=lambda: random.Random(1))
    async with polling(running, timeout=1):
        yield running


async def waits(user: SimulatedUser, until: asyncio.Event, rng: random.Random) -> list[float]:
    """Ask /help again and again until `until` is set; how long each answer took."""
    loop, taken = asyncio.get_running_loop(), []
    await asyncio.sleep(rng.uniform(0, 1))  # people do not ask in step
    while not until.is_set():
        started = loop.time()
        await user.ask("/help", timeout=10)
        taken.append(loop.time() - started)
        await asyncio.sleep(max(0.0, rng.uniform(1.0, 1.4) - (loop.time() - started)))  # about one a second: a chat's pace
    return taken


async def measure(others: list[SimulatedUser], seconds: float) -> list[float]:
    """Everyone's waits over `seconds`."""
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    rng = random.Random(len(others))
    return [w for user_waits in await asyncio.gather(*(waits(user, stop, rng) for user in others)) for w in user_waits]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def test_a_flooding_user_is_slowed_down_with_one_notice_while_others_wait_as_usual(
    emulator: BotApiEmulator, application: Application
) -> None:
    flooder = emulator.user(FLOODER, "Flo", language_code="en")
    others = [emulator.user(n, f"User {n}", language_code="en") for n in OTHERS]
    await asyncio.gather(*(user.ask("/start") for user in [flooder, *others]))
    before = await measure(others, 2.5)

    loop = asyncio.get_running_loop()
    started = loop.time()
    for n in range(FLOOD):
        await flooder.send(f"spam {n}")
    sent_in = loop.time() - started
    during = await measure(others, 2.5)
    await emulator.wait_idle(quiet=0.3, timeout=30)

    guard = application.bot_data.flood
    answered = [m for m in flooder.messages if m.text != NOTICE][1:]  # after the welcome
    notices = [m for m in flooder.messages if m.text == NOTICE]
    assert FLOOD / sent_in > 200, f"the flood was only {FLOOD / sent_in:.0f} updates a second"
    assert len(notices) == 1
    admitted = FLOOD - guard.dropped
    assert admitted <= 15 and len(answered) <= admitted  # a burst of 10, then one a second
    assert statistics.median(during) < 0.25 and p95(during) < max(0.5, 3 * p95(before)), (before, during)
    print(
        f"\nflood: {FLOOD} updates from one user in {sent_in * 1000:.0f} ms ({FLOOD / sent_in:.0f}/s): "
        f"{admitted} let through, {guard.dropped} dropped, {len(notices)} notice; {len(others)} others' waits "
        f"median {statistics.median(before) * 1000:.0f} ms / p95 {p95(before) * 1000:.0f} ms before, "
        f"median {statistics.median(during) * 1000:.0f} ms / p95 {p95(during) * 1000:.0f} ms during "
        f"({len(during)} answers)"
    )
