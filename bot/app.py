"""The one place that wires settings, database, question bank, services and handlers together."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import admin, flood, handlers, handlers_progress, metrics, rendering
from bot.admin import AdminService
from bot.flood import FloodGuard
from bot.handlers import BotContext, Services
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES
from bot.progress import ProgressService
from bot.ratelimit import SendRateLimiter
from bot.reminding import Reminders, ReminderSweep
from bot.service import Clock, QuestionBank, QuizService
from bot.settings import Settings
from bot.transport import RetryingRequest
from db import migrate
from db.engine import create_engine, normalize_url
from db.locks import schema_lock
from db.pacing import SharedPace
from db.repository import Database, SyncReport
from questions.bank import load_sets

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


async def prepare_database(settings: Settings, clock: Clock = utc_now) -> SyncReport:
    """Bring the schema up to date and load the question sets; safe to run any number of times, at once too."""
    sets = load_sets()
    engine = create_engine(settings.database_url)
    try:
        async with schema_lock(engine):
            await migrate.upgrade(engine)
            async with Database(engine).transaction() as repo:
                return await repo.sync_questions([(s.id, s.questions) for s in sets], clock())
    finally:
        await engine.dispose()


def register_handlers(application: Application) -> None:
    """Every handler, in the order PTB tries them: the first that matches an update handles it."""
    private = filters.ChatType.PRIVATE
    new_messages = filters.UpdateType.MESSAGE & private
    # Before every other group: a flooding user's extra updates are dropped before any work is done.
    application.add_handler(TypeHandler(Update, flood.guard), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", handlers.start, filters=new_messages),
            CommandHandler("help", handlers.help_command, filters=new_messages),
            CommandHandler("quiz", handlers.quiz, filters=new_messages),
            CommandHandler("score", handlers_progress.score, filters=new_messages),
            CommandHandler("chart", handlers_progress.chart, filters=new_messages),
            CommandHandler("history", handlers_progress.history, filters=new_messages),
            CommandHandler("mistakes", handlers_progress.mistakes, filters=new_messages),
            CommandHandler("language", handlers_progress.language, filters=new_messages),
            CommandHandler("export", handlers_progress.export, filters=new_messages),
            CommandHandler("forget", handlers_progress.forget, filters=new_messages),
            CommandHandler("review", handlers.review, filters=new_messages),
            CommandHandler("remind", handlers.remind, filters=new_messages),
            CommandHandler("timezone", handlers.timezone, filters=new_messages),
            CommandHandler("admin", admin.command, filters=new_messages),
            # Admin buttons first: to anyone not in ADMIN_IDS they answer like any invalid button.
            CallbackQueryHandler(admin.button, pattern=r"^adm:"),
            # Progress buttons (and 📊 My score) before the quiz's buttons, which take every other tap.
            CallbackQueryHandler(handlers_progress.button, pattern=handlers_progress.handles),
            CallbackQueryHandler(handlers.button),
            # Text that isn't a command may answer a typed question; a forwarded message is never an answer.
            MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND & ~filters.FORWARDED, handlers.text),
            # Last: anything else a person sends privately gets pointed to the commands.
            MessageHandler(new_messages, handlers.unknown),
        ]
    )
    application.add_error_handler(handlers.on_error)


def build_application(
    settings: Settings,
    *,
    token: str | None = None,
    clock: Clock = utc_now,
    rng: Callable[[], random.Random] = random.Random,
) -> Application:
    """The bot, ready to initialise: services are set up in post_init, torn down in post_shutdown."""

    async def post_init(application: Application) -> None:
        database = Database(create_engine(settings.database_url))
        async with database.transaction() as repo:
            bank = QuestionBank(await repo.questions())
        services: Services = application.bot_data
        services.settings = settings
        services.quiz = QuizService(
            database,
            bank,
            quiz_length=settings.quiz_length,
            reviews_per_day=settings.reviews_per_day,
            clock=clock,
            rng=rng,
        )
        services.progress = ProgressService(database, bank, clock=clock)
        services.reminders = Reminders(database, clock)
        services.sweep = ReminderSweep(database, clock)
        services.admin = AdminService(database, clock, settings.admin_ids, (services.quiz, services.progress))
        per_minute = settings.user_updates_per_minute
        services.flood = FloodGuard(per_minute) if per_minute else None
        if settings.reminder_sweep_seconds and application.job_queue:
            every = settings.reminder_sweep_seconds
            # A run draining a backlog outlasts the interval: the next finds the sweep lock taken and
            # returns, rather than APScheduler skipping it with a warning.
            job = {"max_instances": 2}
            application.job_queue.run_repeating(handlers.sweep_reminders, interval=every, first=every, job_kwargs=job)
        for language in LANGUAGES:
            await application.bot.set_my_commands(rendering.bot_commands(language), language_code=language)
        await application.bot.set_my_commands(rendering.bot_commands(DEFAULT_LANGUAGE))
        log.info("bot ready with %d questions", len(bank))

    async def post_shutdown(application: Application) -> None:
        services: Services = application.bot_data
        if hasattr(services, "quiz"):
            await services.quiz.db.close()

    application = (
        ApplicationBuilder()
        .token(token or settings.token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_base_url)
        .context_types(ContextTypes(context=BotContext, bot_data=Services))
        .concurrent_updates(True)
        .request(RetryingRequest(timeout=settings.telegram_timeout_seconds))
        .rate_limiter(send_rate_limiter(settings))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    register_handlers(application)
    return application


def send_rate_limiter(settings: Settings) -> SendRateLimiter:
    """The sending policy; on PostgreSQL the overall rate is shared by every worker of the bot."""
    shared = None
    if normalize_url(settings.database_url).get_backend_name() == "postgresql":
        shared = SharedPace(settings.database_url, settings.messages_per_second)
    return SendRateLimiter(
        overall_per_second=settings.messages_per_second,
        chat_burst=settings.chat_burst,
        shared=shared,
        on_error=metrics.count_send_error,
    )


@asynccontextmanager
async def running(application: Application) -> AsyncIterator[Application]:
    """Initialise the application, set up its services (post_init) and start it, in a loop someone else owns."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        try:
            yield application
        finally:
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


@asynccontextmanager
async def polling(application: Application, *, timeout: int = 10) -> AsyncIterator[Application]:
    """Run the application with long polling inside an event loop someone else owns (play, tests)."""
    async with running(application):
        assert application.updater is not None
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=timeout, poll_interval=0)
        try:
            yield application
        finally:
            await application.updater.stop()
