"""Reminders: the user's own settings, and the sweep that reminds whoever's time has come.

No job per user: each user's next reminder is a row in the database, and one repeating job claims
the due rows (db/reminders.py), so a restart loses none and two sweepers never send one twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot import rendering
from bot.service import Clock
from db import reminders as store
from db.models import User
from db.repository import Database, Profile
from learning.reminders import (
    ReminderAction,
    decide_reminder,
    local_day,
    parse_reminder_time,
    parse_timezone,
    tzinfo_for,
)

log = logging.getLogger(__name__)

COMMON_TIMEZONES = (
    "Asia/Baghdad",
    "Asia/Riyadh",
    "Africa/Cairo",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "UTC",
)


@dataclass(frozen=True)
class ReminderSettings:
    """What /remind and /timezone show."""

    language: str
    timezone: str
    reminder_minute: int | None
    next_at: datetime | None
    local_now: datetime


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did."""

    claimed: int = 0
    sent: int = 0
    paused: int = 0
    skipped: int = 0
    blocked: int = 0
    failed: int = 0


class Reminders:
    """A user's reminder time and time zone."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock

    async def settings(self, profile: Profile) -> ReminderSettings:
        """The user's current reminder settings."""
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, self.clock())
            return self._settings(user)

    async def set_time(self, profile: Profile, text: str) -> ReminderSettings:
        """Remind daily at the local time in `text`; raises InvalidReminderTime, changing nothing."""
        minute = parse_reminder_time(text)
        return await self._update(profile, reminder_minute=minute)

    async def turn_off(self, profile: Profile) -> ReminderSettings:
        """No more reminders until the user sets a time again."""
        return await self._update(profile, reminder_minute=None)

    async def set_timezone(self, profile: Profile, text: str) -> ReminderSettings:
        """Use the time zone in `text`; raises InvalidTimezone, changing nothing."""
        return await self._update(profile, timezone=parse_timezone(text), timezone_asked=True)

    async def snooze(self, profile: Profile) -> ReminderSettings:
        """Bring the reminder back in an hour (or after the quiet hours)."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            await store.snooze_reminder(repo.session, user.id, now=now)
            await repo.session.refresh(user)
            return self._settings(user)

    async def first_time_asking_timezone(self, user_id: int) -> bool:
        """True exactly once per user: the moment to ask for their time zone, kindly, once."""
        async with self.db.transaction() as repo:
            result = await repo.session.execute(
                update(User).where(User.id == user_id, User.timezone_asked.is_(False)).values(timezone_asked=True)
            )
            return result.rowcount == 1

    async def _update(self, profile: Profile, **values: object) -> ReminderSettings:
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            await repo.session.execute(update(User).where(User.id == user.id).values(**values))
            await store.schedule_reminders(repo.session, user.id, now=now)
            await repo.session.refresh(user)
            return self._settings(user)

    def _settings(self, user: User) -> ReminderSettings:
        local_now = self.clock().astimezone(tzinfo_for(user.timezone))
        return ReminderSettings(user.language, user.timezone, user.reminder_minute, user.next_reminder_at, local_now)


class ReminderSweep:
    """Finds the users whose reminder time has come and reminds those with something waiting."""

    def __init__(self, db: Database, clock: Clock, *, batch: int = 100, concurrency: int = 8) -> None:
        self.db, self.clock, self.batch = db, clock, batch
        self._concurrency = asyncio.Semaphore(concurrency)

    async def run(self, bot: Bot) -> SweepReport:
        """One sweep: claim due reminders (committed before anything is sent), send, record."""
        now = self.clock()
        async with self.db.transaction() as repo:
            claims = await store.claim_due_reminders(repo.session, now=now, limit=self.batch)
        outcomes = await asyncio.gather(*(self._remind(bot, claim, now) for claim in claims))
        counts = {name: outcomes.count(name) for name in ("sent", "paused", "skipped", "blocked", "failed")}
        return SweepReport(claimed=len(claims), **counts)

    async def _remind(self, bot: Bot, claim: store.Claim, now: datetime) -> str:
        async with self._concurrency:
            async with self.db.transaction() as repo:
                due = await repo.due_count(claim.user_id, now)
                daily = await repo.daily_quiz(claim.user_id, local_day(now, claim.timezone))
            done = daily is not None and daily.finished_at is not None
            action = decide_reminder(
                now=now,
                timezone=claim.timezone,
                reviews_due=due,
                daily_quiz_done=done,
                ignored_reminders=claim.ignored_reminders,
            )
            reply = {
                ReminderAction.SEND: rendering.reminder(claim.language, due, done),
                ReminderAction.PAUSE: rendering.reminders_paused(claim.language),
            }.get(action)
            try:
                if reply is not None:
                    await bot.send_message(claim.chat_id, reply.text, parse_mode=ParseMode.HTML, reply_markup=reply.buttons)
            except Forbidden:
                async with self.db.transaction() as repo:
                    await store.mark_inactive(repo.session, claim.user_id)
                return "blocked"
            except TelegramError as error:
                # The claim stays: once its lease ends, a later sweep tries this user again.
                log.warning("reminder to user %s not sent: %s", claim.user_id, error)
                return "failed"
            async with self.db.transaction() as repo:
                await store.record_reminder(repo.session, claim, action=action, now=now)
            return {ReminderAction.SEND: "sent", ReminderAction.PAUSE: "paused"}.get(action, "skipped")
