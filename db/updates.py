"""Webhook updates already taken: Telegram retries a delivery it got no 200 for, and any worker may get it.

Every function runs in the caller's transaction and does not commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import ProcessedUpdate

# Telegram keeps an undelivered update for at most 24 hours; a retry can't come later than that.
KEEP_UPDATE_IDS = timedelta(hours=48)


async def take_update(session: AsyncSession, update_id: int, *, now: datetime) -> bool:
    """Remember `update_id`; True the first time, False when some worker already took it."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    statement = insert(ProcessedUpdate).values(update_id=update_id, processed_at=now).on_conflict_do_nothing()
    result = await session.execute(statement)
    return result.rowcount == 1


async def forget_updates(session: AsyncSession, *, now: datetime, keep: timedelta = KEEP_UPDATE_IDS) -> int:
    """Forget the update ids taken before `now - keep`; returns how many."""
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - keep))
    return result.rowcount
