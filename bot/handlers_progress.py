"""Telegram handlers for progress and the user's own data: /score, /chart, /history, /mistakes,
/language, /export, /forget, and their buttons. Each reads the update, asks a service, replies."""

from __future__ import annotations

import asyncio

from telegram import BotCommandScopeChat, Message, Update
from telegram.constants import ParseMode

from bot import callbacks, handlers, rendering
from bot import rendering_progress as pages
from bot.chart import render_chart
from bot.handlers import BotContext, _edit, profile_of, send

EXPORT_NAME = "quizbot-my-data.json"


async def score(update: Update, context: BotContext) -> None:
    """/score: today's quiz, streaks, accuracy, categories, mastery and reviews coming up."""
    language, page = await context.services.progress.page(profile_of(update))
    await send(update, pages.progress_page(language, page))


async def chart(update: Update, context: BotContext) -> None:
    """/chart: daily scores over the last 30 days and accuracy per category, as a picture."""
    language, data = await context.services.progress.chart(profile_of(update))
    if not data.by_category:  # no answer yet
        await send(update, pages.chart_empty(language))
        return
    png = await asyncio.to_thread(render_chart, language, data)  # drawing takes a CPU-bound moment
    assert update.effective_chat is not None
    await update.effective_chat.send_photo(png, caption=pages.chart_caption(language), parse_mode=ParseMode.HTML)


async def history(update: Update, context: BotContext) -> None:
    """/history: the latest quizzes; a tap shows one."""
    language, quizzes = await context.services.progress.history(profile_of(update))
    await send(update, pages.history(language, quizzes))


async def mistakes(update: Update, context: BotContext) -> None:
    """/mistakes: the questions missed most, with a button to practise them."""
    language, missed = await context.services.progress.mistakes(profile_of(update))
    await send(update, pages.mistakes(language, missed))


async def language(update: Update, context: BotContext) -> None:
    """/language: choose Arabic or English."""
    user = await context.services.quiz.greet(profile_of(update))
    await send(update, pages.language_picker(user.language))


async def export(update: Update, context: BotContext) -> None:
    """/export: everything the bot holds about the user, as a JSON file."""
    language, data = await context.services.progress.export(profile_of(update))
    assert update.effective_chat is not None
    await update.effective_chat.send_document(
        data, filename=EXPORT_NAME, caption=pages.export_caption(language), parse_mode=ParseMode.HTML
    )


async def forget(update: Update, context: BotContext) -> None:
    """/forget: ask before deleting everything about the user."""
    user = await context.services.quiz.greet(profile_of(update))
    await send(update, pages.forget_prompt(user.language))


ACTIONS = {"score": score, "chart": chart, "history": history, "mistakes": mistakes}


def handles(data: object) -> bool:
    """Whether a button's callback data is one of the progress buttons (or 📊 My score, which opens the page)."""
    tapped = callbacks.parse(data) if isinstance(data, str) else None
    return isinstance(tapped, callbacks.PastQuizTap | callbacks.LanguageChoice | callbacks.ProgressAction) or (
        tapped == callbacks.Action("score")
    )


async def button(update: Update, context: BotContext) -> None:
    """A tap on a progress button."""
    query = update.callback_query
    assert query is not None
    tapped = callbacks.parse(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if isinstance(tapped, callbacks.PastQuizTap):
        language, past = await context.services.progress.past_quiz(profile_of(update), tapped.quiz_id)
        await query.answer(None if past else pages.no_such_quiz(language))
        if past:
            await send(update, pages.past_quiz(language, past))
    elif isinstance(tapped, callbacks.LanguageChoice):
        chosen = await context.services.progress.choose_language(profile_of(update), tapped.language)
        await query.answer()
        assert update.effective_chat is not None
        scope = BotCommandScopeChat(update.effective_chat.id)
        await context.bot.set_my_commands(rendering.bot_commands(chosen), scope=scope)
        if message:
            await _edit(message, pages.language_set(chosen))
    elif tapped == callbacks.ProgressAction("drill"):
        await _drill(update, context)
    elif tapped == callbacks.ProgressAction("forget"):
        await _forget(update, context)
    elif tapped == callbacks.ProgressAction("keep"):
        await query.answer()
        if message:
            user = await context.services.quiz.greet(profile_of(update))
            await _edit(message, pages.forget_answer(user.language, forgotten=False))
    elif isinstance(tapped, callbacks.ProgressAction | callbacks.Action):
        await query.answer()
        await ACTIONS[tapped.name](update, context)
    else:  # PTB passes taps without data to every pattern: the quiz's handler turns them down
        await handlers.button(update, context)


async def _drill(update: Update, context: BotContext) -> None:
    """A practice round that starts with the questions the user misses most."""
    query = update.callback_query
    assert query is not None
    language, missed = await context.services.progress.mistakes(profile_of(update))
    if not missed:
        await query.answer(pages.no_mistakes(language))
        return
    await query.answer()
    language, asked = await context.services.quiz.start_practice(
        profile_of(update), first=[m.question.id for m in missed]
    )
    await send(update, rendering.question(language, asked))


async def _forget(update: Update, context: BotContext) -> None:
    """Delete everything about the user, and the chat's own command menu, then say so."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    language = await context.services.progress.forget(profile_of(update))
    await query.answer()
    await context.bot.delete_my_commands(scope=BotCommandScopeChat(update.effective_chat.id))
    if isinstance(query.message, Message):
        await _edit(query.message, pages.forget_answer(language, forgotten=True))
