"""Per-user flood control: someone sending hundreds of updates a second is slowed down, politely, alone.

Each user has a token bucket: `burst` updates at once (a sixth of a minute's), then `per_minute` a minute. An update over the
limit is dropped before any handler or database work, so it costs the others nothing; the first one
dropped in a flood gets a short notice, later ones none (at most one notice per NOTICE_EVERY).

The buckets live in this process's memory, on purpose: they are a few seconds of rate counting,
not user state (nothing the user was told depends on them). A restart forgets them, which only gives
a flooder a fresh burst; with several worker processes each keeps its own, so the limit is per worker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackContext

from bot import rendering
from bot.i18n import language_for

log = logging.getLogger(__name__)

NOTICE_EVERY = 30.0  # seconds between two notices to one flooding user
USERS_KEPT = 10_000  # past this many buckets, full ones (idle users) are dropped


class Verdict(Enum):
    """What to do with a user's update."""

    ADMIT = "admit"
    DROP_WITH_NOTICE = "drop with notice"
    DROP = "drop"


@dataclass
class _Bucket:
    tokens: float
    at: float
    noticed_at: float | None = None


class FloodGuard:
    """Token buckets per user; `clock` returns seconds (monotonic)."""

    def __init__(self, per_minute: int, *, burst: int | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.rate = per_minute / 60
        self.burst = float(burst if burst is not None else max(1, per_minute // 6))
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self.dropped = 0

    def admit(self, user_id: int) -> Verdict:
        """Take one update's token from the user's bucket, or say how to drop it."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[user_id] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ADMIT
        self.dropped += 1
        if bucket.noticed_at is None or now - bucket.noticed_at >= NOTICE_EVERY:
            bucket.noticed_at = now
            return Verdict.DROP_WITH_NOTICE
        return Verdict.DROP

    def _forget_idle(self, now: float) -> None:
        if len(self._buckets) < USERS_KEPT:
            return
        for user_id, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.at) * self.rate >= self.burst:
                del self._buckets[user_id]


async def guard(update: object, context: CallbackContext) -> None:  # type: ignore[type-arg]
    """Runs before every other handler: lets the update through, or drops it (noticing the user once)."""
    flood: FloodGuard | None = getattr(context.bot_data, "flood", None)
    user = update.effective_user if isinstance(update, Update) else None
    if flood is None or user is None:
        return
    verdict = flood.admit(user.id)
    if verdict is Verdict.ADMIT:
        return
    if verdict is Verdict.DROP_WITH_NOTICE:
        log.info("user %s is flooding; their updates are dropped for a while", user.id)
        notice = rendering.flood_notice(language_for(user.language_code))
        try:
            if update.callback_query:
                await update.callback_query.answer(notice)
            elif update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
                await update.effective_chat.send_message(notice)
        except TelegramError as error:  # the notice is a courtesy; the update is dropped all the same
            log.warning("could not send the flood notice to user %s: %s", user.id, error)
    raise ApplicationHandlerStop
