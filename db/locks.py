"""One worker at a time: a PostgreSQL advisory lock around work that several workers would only repeat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# Advisory lock keys are one bigint per database; this one is the reminder sweep's.
SWEEP_LOCK = 0x7175697A_73776570  # "quizswep"


@asynccontextmanager
async def sweep_lock(engine: AsyncEngine) -> AsyncIterator[bool]:
    """Hold the reminder sweep's lock if no other worker does: yields True when this one may sweep.

    On PostgreSQL, pg_try_advisory_lock on a connection kept for the block: it never waits, and a
    worker that dies releases the lock with its connection. The reminder claims (db.reminders)
    already keep two sweeps from sending one reminder twice; the lock keeps N workers from running
    N sweeps that would only share one outbound rate. SQLite serves one process: always True.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    async with engine.connect() as connection:
        # Autocommit: the lock belongs to the session, and the connection must not sit idle in a transaction.
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        held = bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": SWEEP_LOCK}))
        try:
            yield held
        finally:
            if held:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SWEEP_LOCK})
