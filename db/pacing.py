"""The bot-wide send pace, kept in PostgreSQL so that every worker together sends no faster than it.

Telegram's limit of about 30 messages a second is the bot's, whichever process sends. One row holds
the earliest moment the next request may go out. Taking a turn is one statement: the turn is that
moment (or now, if it has passed, or the end of a 429 pause), and the row moves on by one interval.
The caller sleeps until its turn. Times are the database server's, one clock for all workers.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine

_TAKE_TURN = text(
    """
    INSERT INTO send_pace AS pace (name, next_at, paused_until)
    VALUES (:name, statement_timestamp() + make_interval(secs => CAST(:interval AS float8)), statement_timestamp())
    ON CONFLICT (name) DO UPDATE
    SET next_at = GREATEST(pace.next_at, pace.paused_until, statement_timestamp())
                  + make_interval(secs => CAST(:interval AS float8))
    RETURNING CAST(EXTRACT(EPOCH FROM pace.next_at - statement_timestamp()) AS float8) - CAST(:interval AS float8)
    """
)
_PAUSE = text(
    """
    INSERT INTO send_pace AS pace (name, next_at, paused_until)
    VALUES (:name, statement_timestamp(), statement_timestamp() + make_interval(secs => CAST(:seconds AS float8)))
    ON CONFLICT (name) DO UPDATE SET paused_until = GREATEST(pace.paused_until, EXCLUDED.paused_until)
    """
)


class SharedPace:
    """Turns at `per_second` for the whole bot, shared through a PostgreSQL database."""

    def __init__(self, url: str | URL, per_second: float, *, name: str = "overall") -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.url, self.interval, self.name = url, 1 / per_second, name
        self._engine: AsyncEngine | None = None

    async def take_turn(self) -> float:
        """Take the next turn; returns the seconds until it comes (0 when it is now)."""
        async with self._connect() as connection:
            wait = await connection.scalar(_TAKE_TURN, {"name": self.name, "interval": self.interval})
        return max(float(wait or 0.0), 0.0)

    async def pause(self, seconds: float) -> None:
        """Hold every worker's turns for `seconds` from now (after Telegram answered 429)."""
        async with self._connect() as connection:
            await connection.execute(_PAUSE, {"name": self.name, "seconds": seconds})

    async def close(self) -> None:
        """Release the connections."""
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    def _connect(self):  # type: ignore[no-untyped-def]
        if self._engine is None:
            # Made on first use, inside the running loop; autocommit: one round trip per turn.
            self._engine = create_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0)
        return self._engine.connect()
