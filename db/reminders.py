"""The reminder sweep's side of the database: claim the users whose reminder is due, then record the outcome.

Every function runs in the caller's transaction and does not commit. The sweep goes:

1. `claim_due_reminders` in a transaction of its own, committed at once. The claim moves each
   claimed user's next_reminder_at to `now + lease`: no other sweeper, in this process or another,
   sees them as due until then, so none claims them twice.
2. Send the reminder (or skip it; see `learning.reminders.decide_reminder`).
3. `record_reminder` in a second transaction: next_reminder_at becomes the next occurrence in the
   user's time zone.

If the process dies between 1 and 3, the claim lapses when the lease ends and the next sweep claims
the user again: a claimed but unsent reminder is late, never lost. Once 3 is committed nothing is
sent twice; only a crash between Telegram accepting the message and that commit repeats one.
No extra column is needed: the lease end, kept in next_reminder_at and in the Claim, is the claim
token, and `record_reminder` writes only while it is still there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import User
from learning.reminders import ReminderAction, next_reminder_at, snooze_until
from learning.scheduling import as_utc

# Longer than any batch takes to send, 429 pauses included; a claim older than this is retried.
CLAIM_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Claim:
    """A user whose reminder this sweeper holds until `claimed_until`, with what sending it needs."""

    user_id: int
    chat_id: int
    language: str
    timezone: str
    reminder_minute: int | None
    ignored_reminders: int
    claimed_until: datetime


async def claim_due_reminders(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta = CLAIM_LEASE
) -> list[Claim]:
    """Claim up to `limit` active, unpaused users whose reminder is due, earliest first; commit before sending.

    One statement: WITH due AS MATERIALIZED (SELECT id ... ORDER BY next_reminder_at LIMIT n FOR
    UPDATE SKIP LOCKED) UPDATE users ... WHERE id IN (SELECT id FROM due) RETURNING .... On
    PostgreSQL a concurrent claimer skips the rows this one locked; the CTE is materialized because
    as a plain IN (subquery) the planner may run the subquery more than once and claim more than
    `limit` rows. On SQLite, which has no row locks, db.engine opens every transaction with BEGIN
    IMMEDIATE, so claimers take turns and each sees the others' leases.
    """
    now = as_utc(now)
    claimed_until = now + lease
    due = (
        select(User.id)
        .where(User.next_reminder_at <= now, User.active.is_(True), User.reminders_paused.is_(False))
        .order_by(User.next_reminder_at, User.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    claim = (
        update(User)
        .where(User.id.in_(select(due.c.id)))
        .values(next_reminder_at=claimed_until)
        .returning(
            User.id, User.chat_id, User.language, User.timezone, User.reminder_minute, User.ignored_reminders
        )
        .execution_options(synchronize_session=False)
    )
    rows = (await session.execute(claim)).all()
    return sorted((Claim(*row, claimed_until=claimed_until) for row in rows), key=lambda c: c.user_id)


async def record_reminder(session: AsyncSession, claim: Claim, *, action: ReminderAction, now: datetime) -> bool:
    """Record what the sweep did for a claimed user and schedule their next reminder.

    SEND counts one more ignored reminder (a reply resets the count); PAUSE stops reminders until
    the user turns them on again; SKIP only schedules the next one. Returns False, changing
    nothing, when the claim is gone: the user changed their reminder settings meanwhile (which
    rescheduled them) or the lease ran out and another sweep claimed them.
    """
    values: dict[str, Any] = {"snoozed_until": None}
    if action is ReminderAction.PAUSE:
        values |= {"reminders_paused": True, "next_reminder_at": None}
    else:
        values["next_reminder_at"] = next_reminder_at(
            now=now, timezone=claim.timezone, reminder_minute=claim.reminder_minute
        )
    if action is ReminderAction.SEND:
        values["ignored_reminders"] = User.ignored_reminders + 1
    result = await session.execute(
        update(User)
        .where(User.id == claim.user_id, User.next_reminder_at == claim.claimed_until)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def mark_inactive(session: AsyncSession, user_id: int) -> None:
    """Stop sending to a user who blocked the bot (Telegram answered Forbidden); writing again undoes it.

    Their reminder time goes too (writing again sets the next one, in Repository.touch_user): left
    in the past, every blocked user would be one more row each claim steps over, every minute.
    """
    await _set(session, user_id, active=False, next_reminder_at=None)


async def schedule_reminders(session: AsyncSession, user_id: int, *, now: datetime) -> datetime | None:
    """Set the next reminder from the user's time zone and reminder time, resuming paused reminders.

    Call it whenever the user sets either, turns reminders on again, or comes back after blocking
    the bot. Returns the next reminder (None when the user has reminders off).
    """
    user = await _reminder_settings(session, user_id)
    at = next_reminder_at(now=now, timezone=user.timezone, reminder_minute=user.reminder_minute)
    await _set(session, user_id, next_reminder_at=at, snoozed_until=None, reminders_paused=False, ignored_reminders=0)
    return at


async def snooze_reminder(session: AsyncSession, user_id: int, *, now: datetime) -> datetime:
    """Bring the reminder back in an hour, or after the quiet hours; a snooze is a reply: no longer ignored."""
    user = await _reminder_settings(session, user_id)
    until = snooze_until(now=now, timezone=user.timezone)
    await _set(session, user_id, next_reminder_at=until, snoozed_until=until, ignored_reminders=0)
    return until


async def _reminder_settings(session: AsyncSession, user_id: int) -> Any:
    row = (await session.execute(select(User.timezone, User.reminder_minute).where(User.id == user_id))).one_or_none()
    if row is None:
        raise LookupError(f"no user {user_id}")
    return row


async def _set(session: AsyncSession, user_id: int, **values: Any) -> None:
    await session.execute(
        update(User).where(User.id == user_id).values(**values).execution_options(synchronize_session=False)
    )
