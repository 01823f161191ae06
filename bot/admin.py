"""/admin, for the ids in ADMIN_IDS only: counts, reloading the questions, and a broadcast confirmed first.

To anyone else /admin is an unknown command and an admin button an invalid one: the refusal is the
very reply any other unknown input gets, so it tells nobody that admin commands exist.

A broadcast keeps no state in memory: its preview message is the draft. Tapping "Send" takes the
buttons off the preview first; a second tap (or a second admin) finds them gone and sends nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Protocol

from telegram import Bot, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import handlers, rendering
from bot import rendering_admin as pages
from bot.handlers import BotContext, _edit, send
from bot.i18n import language_for
from bot.service import AnswerOutcome, AnswerStatus, Clock, QuestionBank
from db import admin as queries
from db.admin import Overview
from db.reminders import mark_inactive
from db.repository import Database, SyncReport
from questions.bank import QuestionSetError, load_sets

log = logging.getLogger(__name__)

BUTTON = re.compile(r"adm:(refresh|reload|send|cancel)")
BROADCAST_BATCH = 25  # sends in flight at once; the rate limiter paces them
_INVALID = AnswerOutcome(AnswerStatus.INVALID)  # what any button the bot never offered gets


class HoldsQuestions(Protocol):
    """A service that asks or shows questions from the bank."""

    bank: QuestionBank


@dataclass(frozen=True)
class BroadcastReport:
    """How a broadcast went."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0


class AdminService:
    """What admins can do; `admin_ids` come from the settings."""

    def __init__(
        self, db: Database, clock: Clock, admin_ids: Sequence[int], holders: Sequence[HoldsQuestions]
    ) -> None:
        self.db, self.clock, self.admin_ids, self.holders = db, clock, frozenset(admin_ids), holders

    def is_admin(self, user_id: int) -> bool:
        """Whether the user may use admin commands (the id comes from the update, never from data)."""
        return user_id in self.admin_ids

    async def overview(self) -> tuple[Overview, int]:
        """Users, active users, users seen this week, answers today (UTC); and questions in use."""
        now = self.clock()
        midnight = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
        async with self.db.transaction() as repo:
            counts = await queries.overview(repo.session, seen_since=now - timedelta(days=7), answered_since=midnight)
        return counts, len(self.holders[0].bank) if self.holders else 0

    async def reload_questions(self) -> tuple[SyncReport, int]:
        """Load the question sets again, sync them to the database and hand the new bank to every service.

        Raises QuestionSetError, changing nothing, when a set is broken.
        """
        sets = load_sets()
        async with self.db.transaction() as repo:
            report = await repo.sync_questions([(s.id, s.questions) for s in sets], self.clock())
            bank = QuestionBank(await repo.questions())
        for holder in self.holders:
            holder.bank = bank
        return report, len(bank)

    async def audience(self) -> int:
        """How many users a broadcast would go to."""
        async with self.db.transaction() as repo:
            return len(await queries.active_chats(repo.session))

    async def broadcast(self, bot: Bot, text: str) -> BroadcastReport:
        """Send `text` to every active user, through the bot's rate limiter; users who blocked the bot are marked."""
        async with self.db.transaction() as repo:
            chats = await queries.active_chats(repo.session)
        outcomes: list[str] = []
        for start in range(0, len(chats), BROADCAST_BATCH):
            batch = chats[start : start + BROADCAST_BATCH]
            outcomes += await asyncio.gather(*(self._send(bot, user_id, chat_id, text) for user_id, chat_id in batch))
        return BroadcastReport(outcomes.count("sent"), outcomes.count("blocked"), outcomes.count("failed"))

    async def _send(self, bot: Bot, user_id: int, chat_id: int, text: str) -> str:
        try:
            await bot.send_message(chat_id, text)
        except Forbidden:
            async with self.db.transaction() as repo:
                await mark_inactive(repo.session, user_id)
            return "blocked"
        except TelegramError as error:
            log.warning("broadcast to user %s not sent: %s", user_id, error)
            return "failed"
        return "sent"


def _is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return user is not None and context.services.admin.is_admin(user.id)


async def command(update: Update, context: BotContext) -> None:
    """/admin, /admin reload, /admin broadcast TEXT; an unknown command to anyone not in ADMIN_IDS."""
    if not _is_admin(update, context):
        await handlers.unknown(update, context)
        return
    user = await context.services.quiz.greet(handlers.profile_of(update))
    language, args = user.language, context.args or []
    if args[:1] == ["reload"]:
        await send(update, await _reload(context, language))
    elif args[:1] == ["broadcast"]:
        await _preview(update, context, language)
    else:
        await send(update, pages.overview(language, *await context.services.admin.overview()))


async def button(update: Update, context: BotContext) -> None:
    """A tap on an admin button; to anyone not in ADMIN_IDS, an invalid button like any forged one."""
    query = update.callback_query
    assert query is not None
    match = BUTTON.fullmatch(query.data or "")
    if not _is_admin(update, context) or match is None or not isinstance(query.message, Message):
        await query.answer(rendering.notice(language_for(query.from_user.language_code), _INVALID))
        return
    user = await context.services.quiz.greet(handlers.profile_of(update))
    language, action = user.language, match.group(1)
    if action == "refresh":
        await query.answer()
        await _edit(query.message, pages.overview(language, *await context.services.admin.overview()))
    elif action == "reload":
        await query.answer()
        await send(update, await _reload(context, language))
    elif not await _close_preview(query.message):  # send or cancel, on a preview already sent or cancelled
        await query.answer(pages.broadcast_closed(language))
    elif action == "cancel":
        await query.answer(pages.broadcast_cancelled(language))
    else:
        await query.answer(pages.broadcast_sending(language))
        context.application.create_task(_broadcast(update, context, language, query.message.text or ""))


async def _reload(context: BotContext, language: str) -> rendering.Reply:
    try:
        report, questions = await context.services.admin.reload_questions()
    except QuestionSetError as error:
        return pages.reload_failed(language, str(error))
    return pages.reloaded(language, report, questions)


async def _preview(update: Update, context: BotContext, language: str) -> None:
    """The broadcast as users will see it, with Send and Cancel under it."""
    assert update.effective_message is not None
    text = (update.effective_message.text or "").split(maxsplit=2)[2:]
    if not text or not text[0].strip():
        await send(update, pages.broadcast_empty(language))
        return
    audience = await context.services.admin.audience()
    await send(update, pages.broadcast_intro(language, audience))
    assert update.effective_chat is not None
    await update.effective_chat.send_message(text[0], reply_markup=pages.broadcast_buttons(language, audience))


async def _close_preview(preview: Message) -> bool:
    """Take the buttons off a broadcast preview; False when they were already gone (sent or cancelled)."""
    if preview.reply_markup is None or not preview.reply_markup.inline_keyboard:
        return False
    try:
        await preview.edit_reply_markup(None)
    except BadRequest:  # "message is not modified": another tap took them off first
        return False
    return True


async def _broadcast(update: Update, context: BotContext, language: str, text: str) -> None:
    report = await context.services.admin.broadcast(context.bot, text)
    log.info("broadcast by admin %s: %s", update.effective_user.id if update.effective_user else None, report)
    await send(update, pages.broadcast_done(language, report))
