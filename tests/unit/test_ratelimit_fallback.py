"""With the shared send pace's database away, the bot still sends, pacing itself alone."""

from __future__ import annotations

import itertools

from sqlalchemy.exc import OperationalError

from bot.ratelimit import SendRateLimiter
from tests.unit.test_ratelimit import FakeTelegram, bot_for, send


class PaceWithoutDatabase:
    """A shared pace whose database cannot be reached."""

    def __init__(self) -> None:
        self.tries = 0

    async def take_turn(self) -> float:
        self.tries += 1
        raise OperationalError("INSERT INTO send_pace", {}, ConnectionRefusedError(111, "Connection refused"))

    async def pause(self, seconds: float) -> None:
        raise OperationalError("INSERT INTO send_pace", {}, ConnectionRefusedError(111, "Connection refused"))

    async def close(self) -> None:
        pass


async def test_messages_still_go_out_at_the_local_pace_when_the_shared_pace_is_unreachable() -> None:
    telegram, pace = FakeTelegram(), PaceWithoutDatabase()
    limiter = SendRateLimiter(overall_per_second=20, shared=pace)  # type: ignore[arg-type]
    async with bot_for(telegram, limiter) as bot:
        await send(bot, 1, 2, 3, 4)
    times = telegram.times()
    assert len(times) == 4 and pace.tries == 4
    assert all(later - earlier >= 0.04 for earlier, later in itertools.pairwise(times))  # 20 a second, locally
