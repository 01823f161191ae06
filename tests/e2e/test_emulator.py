"""End-to-end tests of the Bot API emulator with a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import struct
import time
import warnings
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.warnings import PTBDeprecationWarning
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

from bot.emulator import BotApiEmulator, SimulatedUser
from bot.emulator._markup import MarkupError, parse_formatted
from bot.emulator.terminal import chat_in_terminal

# PTB itself reads RetryAfter.retry_after when building the error message.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*`retry_after` will be of type:telegram.warnings.PTBDeprecationWarning"
)

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", 640, 480) + b"\x00" * 64


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after in seconds (an int or a timedelta depending on PTB settings)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


# -- a tiny bot ---------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text("<b>Welcome</b> to the quiz!", parse_mode="HTML")


async def quiz(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Paris", callback_data="answer:paris"),
                InlineKeyboardButton("Rome", callback_data="answer:rome"),
            ],
            [InlineKeyboardButton("Skip", callback_data="skip")],
        ]
    )
    await update.message.reply_text("Capital of France?", reply_markup=keyboard)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    context.bot_data.setdefault("callbacks", []).append(query)
    if query.message is None or not query.message.is_accessible or query.data not in (
        "answer:paris",
        "answer:rome",
        "skip",
    ):
        await query.answer("This button has expired.", show_alert=True)
        return
    if query.data == "skip":
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=None)
        return
    correct = query.data == "answer:paris"
    await query.answer("Correct!" if correct else "Wrong!")
    await query.edit_message_text(f"Capital of France? {'✅ Paris' if correct else '❌ Rome'}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("errors", []).append(context.error)


def build_app(emu: BotApiEmulator, token: str = TOKEN) -> Application:  # type: ignore[type-arg]
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("quiz", quiz))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_error_handler(on_error)
    return app


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(token=TOKEN, bot_username="article_quiz_bot")
    await emulator.start()
    yield emulator
    await emulator.stop()
    assert emulator.internal_errors == []


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = build_app(emu)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


@pytest.fixture
def alice(emu: BotApiEmulator) -> SimulatedUser:
    return emu.user(1001, first_name="Alice", language_code="en")


# -- conversations ------------------------------------------------------------------------------


async def test_get_me_and_polling_bootstrap(emu: BotApiEmulator, app: Application) -> None:  # type: ignore[type-arg]
    assert app.bot.username == "article_quiz_bot"
    assert app.bot.id == 123456
    methods = [c.method for c in emu.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]


async def test_command_reply_with_html(alice: SimulatedUser, app: Application) -> None:  # type: ignore[type-arg]
    reply = await alice.ask("/start")
    assert reply.text == "Welcome to the quiz!"
    assert reply.entities == [{"type": "bold", "offset": 0, "length": 7}]
    assert reply.raw_text == "<b>Welcome</b> to the quiz!"
    assert reply.parse_mode == "HTML"


async def test_echo_keeps_arabic_and_message_ids_grow(
    alice: SimulatedUser, app: Application  # type: ignore[type-arg]
) -> None:
    first = await alice.ask("مرحبا بالعالم")
    second = await alice.ask("hello")
    assert [m.text for m in alice.messages] == ["مرحبا بالعالم", "hello"]
    # user message 1, bot 2, user 3, bot 4: one counter per chat
    assert (first.message_id, second.message_id) == (2, 4)


async def test_tap_answers_and_edits(alice: SimulatedUser, app: Application) -> None:  # type: ignore[type-arg]
    question = await alice.ask("/quiz")
    assert question.buttons == [
        [("Paris", "answer:paris"), ("Rome", "answer:rome")],
        [("Skip", "skip")],
    ]
    answer = await alice.tap(question, "Paris")
    assert answer.text == "Correct!" and answer.show_alert is False
    await alice.wait_for(lambda msgs: msgs[-1].edited)
    assert alice.last is question  # edited in place, not a new message
    assert question.text == "Capital of France? ✅ Paris"
    assert question.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert len(alice.messages) == 1


async def test_tap_by_callback_data_and_markup_edit(
    emu: BotApiEmulator, alice: SimulatedUser, app: Application  # type: ignore[type-arg]
) -> None:
    question = await alice.ask("/quiz")
    answer = await alice.tap(question, "skip")
    assert answer.text is None
    await emu.wait_for_call("editMessageReplyMarkup")
    assert question.text == "Capital of France?" and question.buttons == []
    with pytest.raises(AssertionError, match="no button 'Paris'"):
        await alice.tap(question, "Paris")


async def test_forged_callback_reaches_bot(alice: SimulatedUser, app: Application) -> None:  # type: ignore[type-arg]
    answer = await alice.tap_data(999, "answer:paris")
    assert answer.text == "This button has expired." and answer.show_alert is True
    query = app.bot_data["callbacks"][-1]
    assert query.message is not None and not query.message.is_accessible  # date 0
    assert query.message.message_id == 999

    question = await alice.ask("/quiz")
    answer = await alice.tap_data(question.message_id, "x" * 200)
    assert answer.show_alert is True
    assert app.bot_data["callbacks"][-1].data == "x" * 200


async def test_wait_for_timeout_shows_transcript(alice: SimulatedUser, app: Application) -> None:  # type: ignore[type-arg]
    await alice.ask("ping")
    with pytest.raises(AssertionError) as info:
        await alice.wait_for(lambda msgs: msgs[5].text == "never", timeout=0.2)
    assert "#1 Alice: ping" in str(info.value)
    assert "bot: ping" in str(info.value)


async def test_commands_recorded_per_language_and_scope(
    emu: BotApiEmulator, app: Application  # type: ignore[type-arg]
) -> None:
    await app.bot.set_my_commands([BotCommand("start", "Start"), BotCommand("quiz", "Quiz")])
    await app.bot.set_my_commands([BotCommand("start", "ابدأ")], language_code="ar")
    await app.bot.set_my_commands(
        [BotCommand("help", "Help")], scope=BotCommandScopeAllGroupChats()
    )
    assert emu.commands == {"": [("start", "Start"), ("quiz", "Quiz")], "ar": [("start", "ابدأ")]}
    assert emu.commands_for({"type": "all_group_chats"}) == [("help", "Help")]
    arabic = await app.bot.get_my_commands(language_code="ar")
    assert [(c.command, c.description) for c in arabic] == [("start", "ابدأ")]
    assert await app.bot.get_my_commands(language_code="de") == ()
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await app.bot.set_my_commands([BotCommand("Start", "Start")])


# -- Bot API errors as Telegram gives them ------------------------------------------------------


async def test_injected_failures_map_to_ptb_errors(
    emu: BotApiEmulator, alice: SimulatedUser, app: Application  # type: ignore[type-arg]
) -> None:
    emu.fail("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await app.bot.send_message(alice.id, "x")
    assert retry_seconds(info.value) == 7

    emu.fail("sendMessage", status=403)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(alice.id, "x")

    emu.fail("sendMessage", status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await app.bot.send_message(alice.id, "x")

    emu.fail("sendMessage", status=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await app.bot.send_message(alice.id, "x")

    emu.fail("sendMessage", status=400, description="Bad Request: chat not found", chat_id=42)
    sent = await app.bot.send_message(alice.id, "only chat 42 fails")
    assert sent.text == "only chat 42 fails"
    assert emu.stats.injected_failures == 5
    assert emu.stats.too_many_requests == 1
    assert [c.status for c in emu.calls_of("sendMessage")] == [429, 403, 500, 502, 502, 200]


async def test_429_inside_handler_reaches_error_handler(
    emu: BotApiEmulator, alice: SimulatedUser, app: Application  # type: ignore[type-arg]
) -> None:
    emu.fail("sendMessage", status=429, retry_after=3, chat_id=alice.id)
    await alice.send("hello")
    await emu.wait_for_call("sendMessage")
    await emu.wait_idle()
    errors = app.bot_data["errors"]
    assert len(errors) == 1 and isinstance(errors[0], RetryAfter)
    assert retry_seconds(errors[0]) == 3
    assert alice.messages == []
    assert (await alice.ask("again")).text == "again"


async def test_bad_requests_like_telegram(
    emu: BotApiEmulator, alice: SimulatedUser, app: Application  # type: ignore[type-arg]
) -> None:
    bot = app.bot
    sent = await bot.send_message(alice.id, "same")
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("same", chat_id=alice.id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("new", chat_id=alice.id, message_id=777)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_reply_markup(chat_id=alice.id, message_id=777)
    long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(alice.id, "keyboard", reply_markup=long_data)
    ok_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 32)]])
    assert (await bot.send_message(alice.id, "64 bytes", reply_markup=ok_data)).reply_markup
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(alice.id, "a" * 4097)
    assert len((await bot.send_message(alice.id, "a" * 4096)).text or "") == 4096
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(alice.id, "<b>unclosed", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)character '!' is reserved"):
        await bot.send_message(alice.id, "Hello!", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(555, "nobody")
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(alice.id, 777)
    assert await bot.delete_message(alice.id, sent.message_id)
    assert sent.message_id not in [m.message_id for m in alice.messages]
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert emu.calls[-1].status == 404
    with pytest.raises(InvalidToken):
        async with Bot("123456:WRONG-token", base_url=emu.base_url):
            pass  # initialize() calls getMe


async def test_blocked_user_is_forbidden(alice: SimulatedUser, app: Application) -> None:  # type: ignore[type-arg]
    alice.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await app.bot.send_message(alice.id, "hi")
    alice.unblock()
    assert (await app.bot.send_message(alice.id, "hi")).text == "hi"


async def test_rate_limiter(
    emu: BotApiEmulator, alice: SimulatedUser, app: Application  # type: ignore[type-arg]
) -> None:
    emu.enforce_rate_limits(per_chat_per_second=2, global_per_second=30)
    await app.bot.send_message(alice.id, "1")
    await app.bot.send_message(alice.id, "2")
    with pytest.raises(RetryAfter) as info:
        await app.bot.send_message(alice.id, "3")
    assert retry_seconds(info.value) == 1
    bob = emu.user(1002, "Bob")
    await app.bot.send_message(bob.id, "other chats are not limited")
    await app.bot.send_chat_action(alice.id, "typing")  # chat actions do not count
    assert emu.stats.rate_limited == 1 and emu.stats.too_many_requests == 1
    emu.disable_rate_limits()
    await app.bot.send_message(alice.id, "4")


async def test_delay(emu: BotApiEmulator, alice: SimulatedUser, app: Application) -> None:  # type: ignore[type-arg]
    emu.delay("sendChatAction", 0.3)
    started = time.monotonic()
    await app.bot.send_chat_action(alice.id, "typing")
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    await app.bot.send_chat_action(alice.id, "typing")
    assert time.monotonic() - started < 0.3
    assert alice.chat.chat_actions == ["typing", "typing"]


# -- files --------------------------------------------------------------------------------------


async def test_photo_and_document_uploads(
    emu: BotApiEmulator, alice: SimulatedUser, app: Application  # type: ignore[type-arg]
) -> None:
    photo = await app.bot.send_photo(alice.id, PNG, caption="<i>chart</i>", parse_mode="HTML")
    assert photo.photo[-1].width == 640 and photo.photo[-1].height == 480
    assert photo.caption == "chart"
    assert alice.last is not None and alice.last.photo == PNG and alice.last.text == "chart"

    content = "سؤال,جواب\n1,2\n".encode()
    doc = await app.bot.send_document(alice.id, content, filename="deck.csv")
    assert doc.document is not None and doc.document.file_name == "deck.csv"
    assert alice.last.document == content

    again = await app.bot.send_document(alice.id, doc.document.file_id)  # re-send by file_id
    assert again.document is not None and again.document.file_id == doc.document.file_id
    file = await app.bot.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await app.bot.send_photo(alice.id, "no-such-file-id")


# -- other update kinds -------------------------------------------------------------------------


async def test_update_kinds_parse_in_ptb(emu: BotApiEmulator) -> None:
    received: list[Update] = []

    async def collect(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        received.append(update)

    application = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).base_file_url(
        emu.base_file_url
    ).build()
    application.add_handler(TypeHandler(Update, collect))
    alice = emu.user(1001, "Alice")
    anonymous = emu.user(1003, "Nadia", language_code=None)
    group = emu.group(-2001, "Readers")
    channel = emu.channel(-1002002, "News", username="news_channel")
    sent = await alice.send("original")
    await alice.edit(sent, "edited /quiz")
    await alice.send_sticker("🎉")
    await alice.send_photo(PNG, caption="look")
    await alice.send_document(b"%PDF-1.4", "article.pdf", "application/pdf")
    await alice.send_voice()
    await alice.send("/start@article_quiz_bot", chat=group)
    await emu.post_in_channel(channel, "breaking")
    await alice.forward("quoted", origin=channel)
    await alice.forward("secret", origin="Hidden Person")
    await anonymous.send("no language")
    emu.push_update({"message_reaction_count": {"chat": alice.chat.to_api()}})  # opt-in kind
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        await emu.wait_idle()
        deadline = time.monotonic() + 3
        while len(received) < 11 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await application.updater.stop()
        await application.stop()
    assert len(received) == 11
    (plain, edited, sticker, photo, document, voice, in_group, post, fwd_channel, fwd_hidden,
     no_language) = received
    assert plain.message and plain.message.text == "original"
    assert edited.edited_message and edited.edited_message.text == "edited /quiz"
    assert edited.edited_message.entities[0].type == "bot_command"
    assert sticker.message and sticker.message.sticker and sticker.message.sticker.emoji == "🎉"
    assert photo.message and photo.message.caption == "look"
    assert photo.message.photo[-1].width == 640
    assert document.message and document.message.document
    assert document.message.document.mime_type == "application/pdf"
    assert voice.message and voice.message.voice
    assert voice.message.voice.to_dict()["duration"] == 2
    assert in_group.effective_chat and in_group.effective_chat.type == "group"
    assert in_group.message and in_group.message.entities[0].length == len(
        "/start@article_quiz_bot"
    )
    assert post.channel_post and post.channel_post.sender_chat
    assert post.channel_post.sender_chat.username == "news_channel"
    assert fwd_channel.message and fwd_channel.message.forward_origin
    assert fwd_channel.message.forward_origin.type == "channel"
    assert fwd_hidden.message and fwd_hidden.message.forward_origin
    assert fwd_hidden.message.forward_origin.type == "hidden_user"
    assert no_language.effective_user and no_language.effective_user.language_code is None
    ids = [u.update_id for u in received]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # the bot can download what a user sent
    async with application.bot:
        file = await application.bot.get_file(photo.message.photo[-1].file_id)
        assert file.file_path and file.file_path.startswith(emu.base_file_url)
        assert bytes(await file.download_as_bytearray()) == PNG


# -- raw HTTP: long polling and webhooks --------------------------------------------------------


async def test_get_updates_offset_timeout_and_conflict(
    emu: BotApiEmulator, alice: SimulatedUser
) -> None:
    url = f"{emu.base_url}{TOKEN}/getUpdates"
    async with httpx.AsyncClient() as client:
        started = time.monotonic()
        empty = (await client.post(url, data={"timeout": "0.3"})).json()
        assert empty == {"ok": True, "result": []}
        assert time.monotonic() - started >= 0.3

        waiting = asyncio.create_task(client.post(url, json={"timeout": 5}))
        await asyncio.sleep(0.05)
        await alice.send("wake up")
        first = (await waiting).json()["result"]
        assert [u["message"]["text"] for u in first] == ["wake up"]

        await alice.send("second")
        both = (await client.get(url, params={"offset": "0"})).json()["result"]
        assert len(both) == 2
        last_id = both[-1]["update_id"]
        confirmed = (await client.post(url, json={"offset": last_id})).json()["result"]
        assert [u["update_id"] for u in confirmed] == [last_id]
        assert emu.pending_updates == 1
        assert (await client.post(url, json={"offset": last_id + 1})).json()["result"] == []
        assert emu.pending_updates == 0

        older = asyncio.create_task(client.post(url, json={"timeout": 5}))
        await asyncio.sleep(0.05)
        newer = asyncio.create_task(client.post(url, json={"timeout": 0.1}))
        old_response = await older
        assert old_response.status_code == 409
        assert "terminated by other getUpdates request" in old_response.json()["description"]
        assert (await newer).status_code == 200

        unknown = await client.post(f"{emu.base_url}{TOKEN}/fooBar")
        assert unknown.status_code == 404
        assert unknown.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
        unauthorized = await client.post(f"{emu.base_url}123456:nope/getMe")
        assert unauthorized.status_code == 401
        assert unauthorized.json()["description"] == "Unauthorized"


@contextlib.asynccontextmanager
async def serve(app: Starlette) -> AsyncIterator[str]:
    """Run a Starlette app on a free local port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


async def test_webhook_delivery_with_secret(emu: BotApiEmulator, alice: SimulatedUser) -> None:
    application = build_app(emu)
    seen_secrets: list[str | None] = []

    async def webhook(request: Request) -> Response:
        seen_secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if seen_secrets[-1] != "s3cret-token":
            return Response(status_code=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.update_queue.put(update)
        return Response()

    receiver = Starlette(routes=[Route("/telegram", webhook, methods=["POST"])])
    async with serve(receiver) as base, application:
        await application.start()
        assert await application.bot.set_webhook(f"{base}/telegram", secret_token="s3cret-token")
        info = await application.bot.get_webhook_info()
        assert info.url == f"{base}/telegram" and info.pending_update_count == 0
        with pytest.raises(Conflict, match="webhook is active"):
            await application.bot.get_updates()

        reply = await alice.ask("via webhook")
        assert reply.text == "via webhook"
        question = await alice.ask("/quiz")
        assert (await alice.tap(question, "Rome")).text == "Wrong!"
        assert [d.status for d in emu.webhook_deliveries] == [200, 200, 200]
        assert seen_secrets == ["s3cret-token"] * 3

        await application.bot.set_webhook(f"{base}/telegram", secret_token="other")
        await alice.send("rejected")
        await emu.wait_idle()
        assert emu.webhook_deliveries[-1].status == 403
        info = await application.bot.get_webhook_info()
        assert info.last_error_message and "403" in info.last_error_message

        assert await application.bot.delete_webhook()
        assert (await application.bot.get_webhook_info()).url == ""
        await application.stop()


# -- terminal -----------------------------------------------------------------------------------


async def test_terminal_chat(emu: BotApiEmulator, alice: SimulatedUser, app: Application) -> None:  # type: ignore[type-arg]
    script = iter(["/quiz", "9", "2", "صباح الخير", ""])
    output: list[str] = []

    async def read_line(prompt: str) -> str | None:
        return next(script, None)

    await chat_in_terminal(emu, alice, read_line=read_line, write=output.append)
    text = "\n".join(output)
    assert "bot: Capital of France?\n   [1] Paris   [2] Rome\n   [3] Skip" in text
    assert "(no such button)" in text
    assert "(Wrong!)" in text
    assert "bot (edited): Capital of France? ❌ Rome" in text
    assert "bot: صباح الخير" in text


# -- formatting, as the Bot API parses it ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mode", "plain", "entities"),
    [
        (
            '<b>1 &lt; 2</b> <a href="https://bbc.com/x?a=1&amp;b=2">link</a>',
            "HTML",
            "1 < 2 link",
            [
                {"type": "bold", "offset": 0, "length": 5},
                {"type": "text_link", "offset": 6, "length": 4, "url": "https://bbc.com/x?a=1&b=2"},
            ],
        ),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "HTML",
            "x = 1",
            [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
        ),
        ("😀 <i>ok</i>", "HTML", "😀 ok", [{"type": "italic", "offset": 3, "length": 2}]),
        ("  <b>trim</b>  ", "HTML", "trim", [{"type": "bold", "offset": 0, "length": 4}]),
        (
            r"*Score:* 3\/5 \(60%\) [more](https://x.org/a\)b)",
            "MarkdownV2",
            "Score: 3/5 (60%) more",
            [
                {"type": "bold", "offset": 0, "length": 6},
                {"type": "text_link", "offset": 17, "length": 4, "url": "https://x.org/a)b"},
            ],
        ),
        (
            "__u__ ||s|| `a_b`",
            "MarkdownV2",
            "u s a_b",
            [
                {"type": "underline", "offset": 0, "length": 1},
                {"type": "spoiler", "offset": 2, "length": 1},
                {"type": "code", "offset": 4, "length": 3},
            ],
        ),
        ("*bold* _it_ `c`", "Markdown", "bold it c", [
            {"type": "bold", "offset": 0, "length": 4},
            {"type": "italic", "offset": 5, "length": 2},
            {"type": "code", "offset": 8, "length": 1},
        ]),
        ("<b>x</b>", None, "<b>x</b>", []),
    ],
)
def test_parse_formatted(
    text: str, mode: str | None, plain: str, entities: list[dict[str, Any]]
) -> None:
    assert parse_formatted(text, mode) == (plain, entities)


@pytest.mark.parametrize(
    ("text", "mode", "error"),
    [
        ("a < b", "HTML", 'Unsupported start tag "" at byte offset 2'),
        ("line<br>break", "HTML", 'Unsupported start tag "br" at byte offset 4'),
        ("<b><i>x</b></i>", "HTML", 'expected "</i>", found "</b>"'),
        ("<b>open", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "HTML", "Unexpected end tag at byte offset 1"),
        ("3.5", "MarkdownV2", "Character '.' is reserved"),
        ("*bold", "MarkdownV2", "Can't find end of Bold entity at byte offset 0"),
        ("user_name", "Markdown", "Can't find end of the entity starting at byte offset 4"),
        ("x", "Markdown2", "unsupported parse_mode"),
    ],
)
def test_parse_formatted_errors(text: str, mode: str, error: str) -> None:
    with pytest.raises(MarkupError) as info:
        parse_formatted(text, mode)
    assert error in str(info.value)
