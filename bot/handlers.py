"""Telegram handlers: read the update, ask the quiz service, reply. Nothing else lives here."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackContext, ExtBot

from bot import callbacks, metrics, rendering
from bot.failures import FailureKind, kind_of
from bot.flood import FloodGuard
from bot.i18n import language_for
from bot.progress import ProgressService
from bot.reminding import COMMON_TIMEZONES, Reminders, ReminderSweep
from bot.rendering import Reply
from bot.service import AnswerOutcome, AnswerStatus, AskedQuestion, DailyDone, NothingDue, QuizResult, QuizService
from bot.settings import Settings
from db.locks import sweep_lock
from db.repository import Profile
from learning.reminders import InvalidReminderTime, InvalidTimezone

if TYPE_CHECKING:
    from bot.admin import AdminService

log = logging.getLogger(__name__)


class Services:
    """What the handlers use, set up once in post_init."""

    quiz: QuizService
    progress: ProgressService
    reminders: Reminders
    sweep: ReminderSweep
    settings: Settings
    admin: AdminService
    flood: FloodGuard | None  # None when USER_UPDATES_PER_MINUTE is 0


class BotContext(CallbackContext[ExtBot[None], dict, dict, Services]):
    """A typed context: `context.services` instead of string lookups."""

    @property
    def services(self) -> Services:
        """The bot's services."""
        return self.bot_data


def profile_of(update: Update) -> Profile:
    """Who sent the update; ids come from Telegram, never from callback data."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    return Profile(user.id, chat.id, user.first_name or "", language_for(user.language_code))


async def send(update: Update, reply: Reply) -> Message:
    """Send a reply in the update's chat."""
    assert update.effective_chat is not None
    return await update.effective_chat.send_message(
        reply.text, parse_mode=ParseMode.HTML, reply_markup=reply.buttons, disable_web_page_preview=True
    )


async def start(update: Update, context: BotContext) -> None:
    """/start: a short welcome in the user's language."""
    user = await context.services.quiz.greet(profile_of(update))
    await send(update, rendering.welcome(user.language, update.effective_user.first_name))


async def help_command(update: Update, context: BotContext) -> None:
    """/help: how the bot works."""
    user = await context.services.quiz.greet(profile_of(update))
    await send(update, rendering.help_text(user.language, context.services.settings.quiz_length))


async def quiz(update: Update, context: BotContext) -> None:
    """/quiz: today's quiz, resumed where the user left it."""
    language, step = await context.services.quiz.start_daily(profile_of(update))
    if isinstance(step, DailyDone):
        await send(update, rendering.daily_already_done(language, step.result))
    elif isinstance(step, NothingDue):
        await send(update, rendering.nothing_new(language))
    else:
        await send(update, rendering.question(language, step))


async def review(update: Update, context: BotContext) -> None:
    """/review: the cards due now, beyond the daily quiz."""
    language, step = await context.services.quiz.start_review(profile_of(update))
    if isinstance(step, NothingDue):
        await send(update, rendering.nothing_due(language, step))
    else:
        await send(update, rendering.question(language, step))


async def practice(update: Update, context: BotContext) -> None:
    """A practice round, from the button offered once today's quiz is done."""
    language, asked = await context.services.quiz.start_practice(profile_of(update))
    await send(update, rendering.question(language, asked))


async def remind(update: Update, context: BotContext) -> None:
    """/remind HH:MM sets the daily reminder, /remind off stops it, /remind alone shows it."""
    profile, reminders = profile_of(update), context.services.reminders
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        current = await reminders.settings(profile)
        await send(update, rendering.reminder_settings(current.language, current))
        return
    try:
        if wanted.lower() in OFF_WORDS:
            changed = await reminders.turn_off(profile)
        else:
            changed = await reminders.set_time(profile, wanted)
    except InvalidReminderTime:
        user = await context.services.quiz.greet(profile)
        await send(update, rendering.reminder_time_invalid(user.language))
        return
    await send(update, rendering.reminder_settings(changed.language, changed, changed=True))


OFF_WORDS = {"off", "stop", "none", "إيقاف", "ايقاف", "أوقف", "اوقف"}


async def timezone(update: Update, context: BotContext) -> None:
    """/timezone NAME-or-OFFSET sets the time zone; /timezone alone shows it with common choices."""
    profile, reminders = profile_of(update), context.services.reminders
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        current = await reminders.settings(profile)
        await send(update, rendering.timezone_settings(current.language, current))
        return
    try:
        changed = await reminders.set_timezone(profile, wanted)
    except InvalidTimezone as error:
        user = await context.services.quiz.greet(profile)
        await send(update, rendering.timezone_invalid(user.language, error))
        return
    await send(update, rendering.timezone_settings(changed.language, changed, changed=True))


async def sweep_reminders(context: BotContext) -> None:
    """The repeating job: remind every user whose reminder time has come, one sweep at a time.

    A full batch means more may be due: it sweeps again at once, so a backlog goes out at the
    outbound rate rather than a batch a run. A run that finds another sweeping (in this worker or
    another) returns at once.
    """
    services = context.services
    async with sweep_lock(services.quiz.db.engine) as ours:
        while ours:
            report = await services.sweep.run(context.bot)
            metrics.count_reminders(report.sent)
            if report.claimed:
                log.info("reminder sweep: %s", report)
            ours = report.claimed == services.sweep.batch


# 📊 My score (do:score) opens the progress page: handlers_progress takes that tap before this handler.
ACTIONS = {"quiz": quiz, "practice": practice, "review": review}


async def button(update: Update, context: BotContext) -> None:
    """A tap on an inline button: an answer, or an action such as a practice round."""
    query = update.callback_query
    assert query is not None
    tapped = callbacks.parse(query.data, zones=len(COMMON_TIMEZONES))
    if isinstance(tapped, callbacks.ZoneChoice):
        changed = await context.services.reminders.set_timezone(profile_of(update), COMMON_TIMEZONES[tapped.index])
        await query.answer()
        if isinstance(query.message, Message):
            await _edit(query.message, rendering.timezone_settings(changed.language, changed, changed=True))
        return
    if isinstance(tapped, callbacks.Action) and tapped.name == "snooze":
        snoozed = await context.services.reminders.snooze(profile_of(update))
        await query.answer(rendering.snoozed(snoozed.language, snoozed))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(None)
        return
    if isinstance(tapped, callbacks.Action):
        await query.answer()
        await ACTIONS[tapped.name](update, context)
        return
    if tapped is None:
        language = language_for(query.from_user.language_code)
        await query.answer(rendering.notice(language, AnswerOutcome(AnswerStatus.INVALID)))
        return
    language, outcome, kind = await context.services.quiz.answer_button(
        profile_of(update), tapped.quiz_id, tapped.position, tapped.shown
    )
    await query.answer(rendering.notice(language, outcome))
    if outcome.status is AnswerStatus.RECORDED and isinstance(query.message, Message):
        await _edit(query.message, rendering.feedback(language, kind, outcome))
        await _continue(update, context, language, outcome)


async def text(update: Update, context: BotContext) -> None:
    """Plain text: the answer to a typed question, or a friendly pointer to the commands."""
    assert update.effective_message is not None
    language, outcome, kind = await context.services.quiz.answer_text(
        profile_of(update), update.effective_message.text or ""
    )
    if outcome is None:
        await send(update, rendering.fallback(language))
    elif outcome.status is AnswerStatus.USE_BUTTONS:
        await send(update, rendering.use_the_buttons(language))
    elif outcome.status is AnswerStatus.RECORDED:
        await send(update, rendering.feedback(language, kind, outcome))
        await _continue(update, context, language, outcome)


async def unknown(update: Update, context: BotContext) -> None:
    """Any other command or message: point to the commands."""
    user = await context.services.quiz.greet(profile_of(update))
    await send(update, rendering.fallback(user.language))


async def _continue(update: Update, context: BotContext, language: str, outcome: AnswerOutcome) -> None:
    """After an answer: the next question, or the quiz's score (and, once, the time zone question)."""
    if isinstance(outcome.next, AskedQuestion):
        await send(update, rendering.question(language, outcome.next))
    elif isinstance(outcome.next, QuizResult):
        await send(update, rendering.quiz_done(language, outcome.next))
        if await context.services.reminders.first_time_asking_timezone(profile_of(update).user_id):
            await send(update, rendering.timezone_question(language))


async def _edit(message: Message, reply: Reply) -> None:
    """Turn the question into its feedback; an edit Telegram refuses is not worth failing the answer."""
    try:
        await message.edit_text(reply.text, parse_mode=ParseMode.HTML, reply_markup=reply.buttons)
    except BadRequest as error:
        log.warning("could not edit message %s: %s", message.message_id, error)


async def on_error(update: object, context: BotContext) -> None:
    """Log what broke with its context, and tell the user when there is one and something can reach them.

    Database trouble gets "nothing was saved, try again" (every change is one transaction, rolled
    back whole); Telegram trouble gets nothing, since an apology would travel the same broken road
    and a message that timed out may well have arrived; anything else gets a short apology.
    """
    chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    update_id = update.update_id if isinstance(update, Update) else None
    failure = kind_of(context.error)
    log.error("update %s in chat %s failed (%s)", update_id, chat_id, failure, exc_info=context.error)
    if chat_id is None or failure in (FailureKind.BLOCKED, FailureKind.TELEGRAM):
        return
    user = update.effective_user if isinstance(update, Update) else None
    language = language_for(user.language_code if user else None)
    words = rendering.database_busy(language) if failure is FailureKind.DATABASE else rendering.apology(language)
    try:
        if isinstance(update, Update) and update.callback_query:
            await update.callback_query.answer(words)
        else:
            await context.bot.send_message(chat_id, words)
    except Exception:  # noqa: BLE001 - the apology is best effort; the error is logged above
        log.warning("could not apologise in chat %s", chat_id)
