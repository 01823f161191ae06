"""What the bot's admins see: counts over every user, and who a broadcast goes to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import QuizItem, User


@dataclass(frozen=True)
class Overview:
    """The bot at a glance."""

    users: int
    active: int  # not known to have blocked the bot
    seen_since: int  # wrote to the bot since the given time
    answers_since: int  # answers given since the given time


async def overview(session: AsyncSession, *, seen_since: datetime, answered_since: datetime) -> Overview:
    """Counts of users, active users, recent users and recent answers."""
    users, active, seen = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(User.active.is_(True)),
                func.count().filter(User.last_seen_at >= seen_since),
            ).select_from(User)
        )
    ).one()
    answers = await session.scalar(
        select(func.count()).select_from(QuizItem).where(QuizItem.answered_at >= answered_since)
    )
    return Overview(int(users), int(active), int(seen), int(answers or 0))


async def active_chats(session: AsyncSession) -> list[tuple[int, int]]:
    """(user id, chat id) of every user not known to have blocked the bot, oldest first."""
    rows = await session.execute(select(User.id, User.chat_id).where(User.active.is_(True)).order_by(User.created_at))
    return [(user_id, chat_id) for user_id, chat_id in rows.all()]
