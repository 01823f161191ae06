"""One worker at a time: PostgreSQL advisory locks around work that several workers must not do together."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

# Advisory lock keys are bigints, one namespace per database.
SWEEP_LOCK = 0x7175697A_73776570  # "quizswep"
SCHEMA_LOCK = 0x7175697A_73636D61  # "quizscma"

# SQLite serves one process: there, a lock in the process stands in for the advisory lock.
_IN_PROCESS: weakref.WeakKeyDictionary[object, dict[int, asyncio.Lock]] = weakref.WeakKeyDictionary()


def sweep_lock(engine: AsyncEngine) -> AbstractAsyncContextManager[bool]:
    """Hold the reminder sweep's lock if no other worker does: yields True when this one may sweep.

    It never waits. The reminder claims (db.reminders) already keep two sweeps from sending one
    reminder twice; the lock keeps N workers from running N sweeps that would only share one
    outbound rate.
    """
    return advisory_lock(engine, SWEEP_LOCK, wait=False)


def schema_lock(engine: AsyncEngine) -> AbstractAsyncContextManager[bool]:
    """Wait for, then hold, the lock for migrating the schema and loading the questions (yields True).

    Workers started together all prepare the database; one at a time, the later ones find it done.
    """
    return advisory_lock(engine, SCHEMA_LOCK, wait=True)


@asynccontextmanager
async def advisory_lock(engine: AsyncEngine, key: int, *, wait: bool) -> AsyncIterator[bool]:
    """A session-level advisory lock on a connection kept for the block; yields whether it is held.

    A worker that dies releases its locks with its connection. SQLite, which serves one process,
    has no such locks: an asyncio lock per engine and key does their work there.
    """
    if engine.dialect.name != "postgresql":
        lock = _IN_PROCESS.setdefault(engine.sync_engine, {}).setdefault(key, asyncio.Lock())
        if not wait and lock.locked():
            yield False
            return
        async with lock:
            yield True
        return
    async with engine.connect() as connection:
        # Autocommit: the lock belongs to the session, and the connection must not sit idle in a transaction.
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        if wait:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            held = True
        else:
            held = bool(await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        try:
            yield held
        finally:
            if held:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
