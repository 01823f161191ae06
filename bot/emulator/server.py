"""A local Telegram Bot API server for end-to-end tests.

``BotApiEmulator`` is a real HTTP server (Starlette served by uvicorn inside the running event
loop) that answers the Bot API methods a quiz bot uses, with the JSON shapes and error
descriptions of the real Bot API, so an unmodified python-telegram-bot ``Application`` can run
against it. Simulated users (``emu.user(...)``) send messages and tap inline buttons; tests then
assert on what the user sees.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import re
import socket
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.emulator._markup import MarkupError, parse_formatted, utf16_len
from bot.emulator._params import ApiError, Params, UploadedFile, bad_request, decode_body
from bot.emulator.models import (
    ApiCall,
    BotMessage,
    Button,
    CallbackAnswer,
    EmulatorStats,
    StoredFile,
    WebhookDelivery,
)

__all__ = ["DEFAULT_TOKEN", "BotApiEmulator", "SimulatedChat", "SimulatedUser"]

DEFAULT_TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuv"
# The start of a 64x48 PNG: enough for the emulator to report its size.
TINY_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", 64, 48) + b"\x08\x02\x00\x00\x00"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

_T = TypeVar("_T")
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_COMMAND_RE = re.compile(r"(?:(?<=\s)|^)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
# Update types Telegram leaves out unless asked for explicitly in allowed_updates.
_OPT_IN_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
_CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


def _now() -> int:
    return int(time.time())


def _command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities for every /command in ``text`` (offsets in UTF-16 units)."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND_RE.finditer(text)
    ]


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG image; a placeholder size for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            seg_len = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + seg_len
    return 512, 512


class _QuietServer(uvicorn.Server):
    """uvicorn server that leaves signal handlers alone and stops as soon as it is told to."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.exit_requested = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        # uvicorn polls should_exit every 0.1 s; wait on an event instead (ticks once a second).
        while not await self.on_tick(0):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.exit_requested.wait(), 1.0)

    def request_exit(self) -> None:
        """Stop serving (pending requests get timeout_graceful_shutdown to finish)."""
        self.should_exit = True
        self.exit_requested.set()


@dataclass
class _Fault:
    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | str | None


@dataclass
class _Delay:
    method: str
    seconds: float
    remaining: int
    chat_id: int | str | None


@dataclass
class _PendingQuery:
    query_id: str
    future: asyncio.Future[CallbackAnswer]
    answered: bool = False


@dataclass
class _RateLimits:
    per_chat_per_second: int
    global_per_second: int
    per_group_per_minute: int


class SimulatedChat:
    """A chat as the emulator sees it: its members' messages and the bot's messages."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        chat_id: int,
        chat_type: str,
        *,
        title: str | None = None,
        username: str | None = None,
        user: SimulatedUser | None = None,
    ) -> None:
        self.emulator = emulator
        self.id = chat_id
        self.type = chat_type
        self.title = title
        self.username = username
        self.user = user
        self.bot_messages: dict[int, BotMessage] = {}
        self.user_messages: dict[int, dict[str, Any]] = {}
        self.chat_actions: list[str] = []
        self.reply_keyboard: dict[str, Any] | None = None
        self._message_ids = itertools.count(1)
        self._changed = asyncio.Event()  # set when the bot acts in this chat, then replaced

    def __repr__(self) -> str:
        return f"SimulatedChat(id={self.id}, type={self.type!r})"

    def next_message_id(self) -> int:
        """Allocate the next message id of this chat (shared by users and the bot)."""
        return next(self._message_ids)

    def to_api(self) -> dict[str, Any]:
        """The Chat object as the Bot API serialises it."""
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title or ""
            if self.username:
                data["username"] = self.username
        return data

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages in this chat, oldest first, current state, deleted ones left out."""
        return [m for m in self.bot_messages.values() if not m.deleted]

    @property
    def last(self) -> BotMessage | None:
        """The bot's latest (not deleted) message, or None."""
        messages = self.messages
        return messages[-1] if messages else None

    def transcript(self) -> str:
        """The whole conversation as text, for failure messages."""
        entries: list[tuple[int, str]] = []
        for message_id, message in self.user_messages.items():
            who = message.get("from", {}).get("first_name") or self.title or "user"
            body = message.get("text") or message.get("caption") or ""
            kinds = [k for k in ("sticker", "photo", "document", "voice") if k in message]
            if kinds:
                body = f"[{kinds[0]}] {body}"
            entries.append((message_id, f"#{message_id} {who}: {body}"))
        for message in self.bot_messages.values():
            entries.append((message.message_id, message.describe()))
        entries.sort(key=lambda e: e[0])
        return "\n".join(line for _, line in entries) or "(no messages)"

    async def wait_for(
        self,
        predicate: Callable[[list[BotMessage]], _T],
        timeout: float = 5.0,
        *,
        this_chat_only: bool = False,
    ) -> _T:
        """Wait until ``predicate(messages)`` is truthy and return its value.

        Re-checked after every request the bot makes, or with ``this_chat_only`` only after
        those that act in this chat: much cheaper when hundreds of users wait at once, for a
        predicate that looks at this chat alone. Exceptions inside the predicate (say an
        IndexError on an empty list) count as "not yet". On timeout raises AssertionError with
        the chat transcript.
        """
        changes = (lambda: self._changed) if this_chat_only else None
        return await self.emulator._wait_until(
            lambda: predicate(self.messages), timeout, lambda: self.transcript(), changes
        )

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for_message(
        self, after_message_id: int = 0, timeout: float = 5.0
    ) -> BotMessage:
        """Wait for the first bot message with an id above ``after_message_id`` and return it."""

        def first_new(messages: list[BotMessage]) -> BotMessage | None:
            return next((m for m in messages if m.message_id > after_message_id), None)

        return await self.wait_for(first_new, timeout)

    def message_json(self, message_id: int) -> dict[str, Any] | None:
        """The current Message JSON of a message in this chat (user's or bot's)."""
        if message_id in self.user_messages:
            return self.user_messages[message_id]
        message = self.bot_messages.get(message_id)
        if message is None or message.deleted:
            return None
        return self.emulator._message_json(message)


class SimulatedUser:
    """A Telegram user talking to the bot; their private chat has the same id."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_premium: bool | None = None,
        has_started: bool = True,
    ) -> None:
        self.emulator = emulator
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.is_premium = is_premium
        self.has_started = has_started
        self.blocked = False
        self.callback_answers: list[CallbackAnswer] = []
        self.chat = SimulatedChat(emulator, user_id, "private", user=self)

    def __repr__(self) -> str:
        return f"SimulatedUser(id={self.id}, first_name={self.first_name!r})"

    def to_api(self) -> dict[str, Any]:
        """The User object as the Bot API serialises it."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        if self.is_premium:
            data["is_premium"] = True
        return data

    # -- what the user sees -------------------------------------------------------------------

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages in the private chat (current state, oldest first)."""
        return self.chat.messages

    @property
    def last(self) -> BotMessage | None:
        """The bot's latest message in the private chat."""
        return self.chat.last

    def transcript(self) -> str:
        """The private chat as text."""
        return self.chat.transcript()

    async def wait_for(
        self,
        predicate: Callable[[list[BotMessage]], _T],
        timeout: float = 5.0,
        *,
        this_chat_only: bool = False,
    ) -> _T:
        """Wait until ``predicate(self.messages)`` is truthy; see :meth:`SimulatedChat.wait_for`."""
        return await self.chat.wait_for(predicate, timeout, this_chat_only=this_chat_only)

    def block(self) -> None:
        """Block the bot: its sends to this user fail with 403 Forbidden."""
        self.blocked = True

    def unblock(self) -> None:
        """Unblock the bot."""
        self.blocked = False

    # -- what the user does -------------------------------------------------------------------

    def _base_message(self, chat: SimulatedChat | None) -> tuple[SimulatedChat, dict[str, Any]]:
        target = chat or self.chat
        message = {
            "message_id": target.next_message_id(),
            "date": _now(),
            "chat": target.to_api(),
            "from": self.to_api(),
        }
        return target, message

    async def _deliver(
        self, chat: SimulatedChat, message: dict[str, Any], kind: str = "message"
    ) -> dict[str, Any]:
        self.has_started = True
        chat.user_messages[message["message_id"]] = message
        self.emulator.push_update({kind: message})
        await asyncio.sleep(0)
        return message

    async def send(
        self,
        text: str,
        *,
        chat: SimulatedChat | None = None,
        reply_to: int | BotMessage | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Send a text message (commands get bot_command entities); returns the Message JSON."""
        target, message = self._base_message(chat)
        message["text"] = text
        found = _command_entities(text) if entities is None else entities
        if found:
            message["entities"] = found
        if reply_to is not None:
            reply_id = reply_to.message_id if isinstance(reply_to, BotMessage) else reply_to
            replied = target.message_json(reply_id)
            if replied is not None:
                message["reply_to_message"] = replied
        return await self._deliver(target, message)

    async def ask(self, text: str, *, timeout: float = 5.0) -> BotMessage:
        """Send ``text`` in the private chat and return the bot's first message after it."""
        sent = await self.send(text)
        return await self.chat.wait_for_message(sent["message_id"], timeout)

    async def send_sticker(
        self, emoji: str = "👍", *, chat: SimulatedChat | None = None
    ) -> dict[str, Any]:
        """Send a sticker."""
        target, message = self._base_message(chat)
        file = self.emulator._store_file(b"RIFF-sticker", "stickers", "sticker.webp", "image/webp")
        message["sticker"] = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": file.size,
        }
        return await self._deliver(target, message)

    async def send_photo(
        self,
        data: bytes = TINY_PNG,
        *,
        caption: str | None = None,
        chat: SimulatedChat | None = None,
    ) -> dict[str, Any]:
        """Send a photo (stored, so the bot can getFile it)."""
        target, message = self._base_message(chat)
        file = self.emulator._store_file(data, "photos", "photo.jpg", "image/jpeg")
        message["photo"] = self.emulator._photo_sizes(file)
        if caption is not None:
            message["caption"] = caption
        return await self._deliver(target, message)

    async def send_document(
        self,
        data: bytes,
        file_name: str = "document.txt",
        mime_type: str = "text/plain",
        *,
        caption: str | None = None,
        chat: SimulatedChat | None = None,
    ) -> dict[str, Any]:
        """Send a document (stored, so the bot can getFile it)."""
        target, message = self._base_message(chat)
        file = self.emulator._store_file(data, "documents", file_name, mime_type)
        message["document"] = self.emulator._document_json(file)
        if caption is not None:
            message["caption"] = caption
        return await self._deliver(target, message)

    async def send_voice(
        self, data: bytes = b"OggS-voice", duration: int = 2, *, chat: SimulatedChat | None = None
    ) -> dict[str, Any]:
        """Send a voice note."""
        target, message = self._base_message(chat)
        file = self.emulator._store_file(data, "voice", "voice.oga", "audio/ogg")
        message["voice"] = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": file.size,
        }
        return await self._deliver(target, message)

    async def forward(
        self,
        text: str,
        *,
        origin: SimulatedUser | SimulatedChat | str | None = None,
        chat: SimulatedChat | None = None,
    ) -> dict[str, Any]:
        """Forward a text message to the bot.

        ``origin``: a user (forward_origin type "user"), a channel chat ("channel"), a string
        (a user who hides their account: "hidden_user"); default this user.
        """
        target, message = self._base_message(chat)
        message["text"] = text
        source = origin or self
        forward_origin: dict[str, Any]
        if isinstance(source, SimulatedUser):
            forward_origin = {"type": "user", "date": _now(), "sender_user": source.to_api()}
        elif isinstance(source, SimulatedChat) and source.type == "channel":
            forward_origin = {
                "type": "channel",
                "date": _now(),
                "chat": source.to_api(),
                "message_id": 1,
            }
        elif isinstance(source, SimulatedChat):
            forward_origin = {"type": "chat", "date": _now(), "sender_chat": source.to_api()}
        else:
            forward_origin = {"type": "hidden_user", "date": _now(), "sender_user_name": source}
        message["forward_origin"] = forward_origin
        return await self._deliver(target, message)

    async def edit(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """Edit one of this user's text messages (an ``edited_message`` update)."""
        chat = self.emulator.chat(message["chat"]["id"])
        edited = dict(message, text=text, edit_date=_now())
        entities = _command_entities(text)
        edited.pop("entities", None)
        if entities:
            edited["entities"] = entities
        chat.user_messages[message["message_id"]] = edited
        self.emulator.push_update({"edited_message": edited})
        await asyncio.sleep(0)
        return edited

    async def tap(
        self, message: BotMessage | int, button: str | int, *, timeout: float = 5.0
    ) -> CallbackAnswer:
        """Tap an inline button of a bot message and return the bot's answerCallbackQuery.

        ``button`` is the button text or its callback_data (an int: position across all rows).
        Raises AssertionError if there is no such button or the bot does not answer in time.
        """
        chat_id = message.chat_id if isinstance(message, BotMessage) else self.id
        chat = self.emulator.chat(chat_id)
        message_id = message.message_id if isinstance(message, BotMessage) else message
        current = chat.bot_messages.get(message_id)
        if current is None or current.deleted:
            raise AssertionError(
                f"message #{message_id} is not in the chat; transcript:\n{chat.transcript()}"
            )
        buttons = current.flat_buttons
        chosen: Button | None = None
        if isinstance(button, int):
            if 0 <= button < len(buttons):
                chosen = buttons[button]
        else:
            chosen = next((b for b in buttons if b.text == button), None) or next(
                (b for b in buttons if b.callback_data == button), None
            )
        if chosen is None:
            raise AssertionError(f"no button {button!r} on message:\n{current.describe()}")
        if chosen.callback_data is None:
            raise AssertionError(f"button {chosen.text!r} has no callback_data")
        return await self._callback(chat, message_id, chosen.callback_data, timeout)

    async def tap_data(
        self,
        message_id: int,
        data: str,
        *,
        timeout: float = 5.0,
        chat: SimulatedChat | None = None,
    ) -> CallbackAnswer:
        """Send a callback query with arbitrary data for ``message_id`` (need not be a button).

        For an id the bot never sent, the update carries an inaccessible message (date 0).
        """
        return await self._callback(chat or self.chat, message_id, data, timeout)

    async def _callback(
        self, chat: SimulatedChat, message_id: int, data: str, timeout: float
    ) -> CallbackAnswer:
        emulator = self.emulator
        query = emulator._new_query()
        message = chat.message_json(message_id) or {
            "chat": chat.to_api(),
            "message_id": message_id,
            "date": 0,
        }
        emulator.push_update(
            {
                "callback_query": {
                    "id": query.query_id,
                    "from": self.to_api(),
                    "message": message,
                    "chat_instance": str(abs(hash((emulator.bot_id, chat.id)))),
                    "data": data,
                }
            }
        )
        try:
            async with asyncio.timeout(timeout):  # not wait_for, which can lose a cancellation (see _wait_until)
                answer = await asyncio.shield(query.future)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not answer callback query {data!r} within {timeout}s; "
                f"transcript:\n{chat.transcript()}"
            ) from None
        self.callback_answers.append(answer)
        return answer


class BotApiEmulator:
    """A local Bot API server plus the simulated users who talk to the bot through it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "article_quiz_bot",
        bot_first_name: str = "Article Quiz",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not _TOKEN_RE.match(token):
            raise ValueError("token must look like '<digits>:<letters>'")
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.host = host
        self.port = port
        self.stats = EmulatorStats()
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.internal_errors: list[Exception] = []
        self._calls: list[ApiCall] = []
        self._chats: dict[int, SimulatedChat] = {}
        self._users: dict[int, SimulatedUser] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 10_000
        self._fetched_update_id = 0
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._queries: dict[str, _PendingQuery] = {}
        self._query_counter = itertools.count(4_000_000_000_000_000_001)
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self._rate_limits: _RateLimits | None = None
        self._chat_windows: dict[int | str, deque[float]] = {}
        self._group_windows: dict[int | str, deque[float]] = {}
        self._global_window: deque[float] = deque()
        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._webhook_max_connections = 40
        self._webhook_last_error: tuple[int, str] | None = None
        self._webhook_in_flight = 0
        self._webhook_chats: set[int | None] = set()  # chats with a delivery in flight
        self._webhook_upstreams: list[str] = []
        self._webhook_turn = 0
        self._changed = asyncio.Event()
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._closing = False
        self._server: _QuietServer | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None
        self._methods: dict[str, Callable[[Params], Awaitable[Any]]] = {
            name[len("_api_") :].lower(): getattr(self, name)
            for name in dir(self)
            if name.startswith("_api_")
        }
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._handle_api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._handle_file, methods=["GET"]),
            ]
        )

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> BotApiEmulator:
        """Serve on ``host`` (a free port when ``port`` is 0) inside the running event loop."""
        if self._serve_task is not None:
            raise RuntimeError("emulator already started")
        self._changed = asyncio.Event()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = _QuietServer(config)
        self._serve_task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._serve_task.done():
                await self._serve_task
                raise RuntimeError("emulator server failed to start")
            await asyncio.sleep(0.005)
        self._http = httpx.AsyncClient(timeout=10)
        self._webhook_task = asyncio.create_task(self._webhook_worker())
        return self

    async def stop(self) -> None:
        """Answer pending long polls, stop the server and the webhook sender."""
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._server is not None and self._serve_task is not None:
            self._server.request_exit()
            await self._serve_task
            self._serve_task = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        for query in self._queries.values():
            query.future.cancel()

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Root URL of the server."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_url`` (PTB appends the token and method)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder.base_file_url``."""
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's User object, as getMe returns it."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # -- people and chats ---------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_premium: bool | None = None,
        has_started: bool = True,
    ) -> SimulatedUser:
        """A simulated user (created on first call; the private chat id equals ``user_id``).

        ``has_started=False``: the user never wrote to the bot, so the bot's messages to them
        fail with 403 "bot can't initiate conversation with a user" until they send something.
        """
        if user_id in self._users:
            return self._users[user_id]
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = SimulatedUser(
            self,
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
            has_started=has_started,
        )
        self._users[user_id] = user
        self._chats[user_id] = user.chat
        return user

    def group(
        self, chat_id: int, title: str = "Group", *, supergroup: bool = False
    ) -> SimulatedChat:
        """A group chat (negative id) the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        if chat_id not in self._chats:
            kind = "supergroup" if supergroup else "group"
            self._chats[chat_id] = SimulatedChat(self, chat_id, kind, title=title)
        return self._chats[chat_id]

    def channel(
        self, chat_id: int, title: str = "Channel", *, username: str | None = None
    ) -> SimulatedChat:
        """A channel (negative id) where the bot is an admin."""
        if chat_id >= 0:
            raise ValueError("channel ids are negative")
        if chat_id not in self._chats:
            self._chats[chat_id] = SimulatedChat(
                self, chat_id, "channel", title=title, username=username
            )
        return self._chats[chat_id]

    def chat(self, chat_id: int) -> SimulatedChat:
        """A known chat by id (KeyError if unknown)."""
        return self._chats[chat_id]

    async def post_in_channel(self, channel: SimulatedChat, text: str) -> dict[str, Any]:
        """Publish a text post in a channel (a ``channel_post`` update)."""
        message = {
            "message_id": channel.next_message_id(),
            "date": _now(),
            "chat": channel.to_api(),
            "sender_chat": channel.to_api(),
            "text": text,
        }
        channel.user_messages[message["message_id"]] = message
        self.push_update({"channel_post": message})
        await asyncio.sleep(0)
        return message

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw Update (``update_id`` is assigned when missing); returns it."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, int(update["update_id"])) + 1
        self._updates.append(update)
        self._last_activity = time.monotonic()
        self._notify()
        return update

    # -- what the bot did ---------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Every request the bot made except getUpdates, in order."""
        return list(self._calls)

    def calls_of(self, method: str) -> list[ApiCall]:
        """Calls of one method (case-insensitive)."""
        return [c for c in self._calls if c.method.lower() == method.lower()]

    @property
    def commands(self) -> dict[str, list[tuple[str, str]]]:
        """setMyCommands for the default scope: language_code ("" = all languages) -> commands."""
        default = json.dumps({"type": "default"})
        return {lang: list(cmds) for (scope, lang), cmds in self._commands.items() if scope == default}

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """The commands registered for exactly this scope and language."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return list(self._commands.get(key, []))

    def file_bytes(self, file_id: str) -> bytes | None:
        """Content of a stored file by file_id."""
        file = self._files.get(file_id)
        return file.data if file else None

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed (or delivered to the webhook)."""
        return len(self._updates)

    @property
    def webhook_url(self) -> str:
        """The webhook URL set by the bot ("" when polling)."""
        return self._webhook_url

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,
    ) -> ApiCall:
        """Wait for a call of ``method`` (matching ``predicate``) and return it."""

        def found() -> ApiCall | None:
            return next(
                (c for c in self.calls_of(method) if predicate is None or predicate(c)), None
            )

        return await self._wait_until(
            found, timeout, lambda: "\n".join(f"{c.method} {c.params}" for c in self._calls)
        )

    async def wait_change(self, timeout: float | None = None) -> bool:
        """Wait for the next bot request or queued update; False if ``timeout`` passed first."""
        event = self._changed
        try:
            async with asyncio.timeout(timeout):  # not wait_for, which can lose a cancellation (see _wait_until)
                await event.wait()
        except TimeoutError:
            return False
        return True

    async def wait_idle(self, quiet: float = 0.15, timeout: float = 5.0) -> None:
        """Wait until every queued update was fetched/delivered and the bot was quiet ``quiet`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            unfetched = any(u["update_id"] > self._fetched_update_id for u in self._updates)
            busy = unfetched or self._inflight > 0 or self._webhook_in_flight > 0
            idle_for = time.monotonic() - self._last_activity
            if not busy and idle_for >= quiet:
                return
            if loop.time() >= deadline:
                raise AssertionError(
                    f"emulator not idle after {timeout}s: unfetched={unfetched}, "
                    f"requests in flight={self._inflight}"
                )
            await asyncio.sleep(min(quiet / 3, 0.05))

    # -- fault injection ----------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (optionally for one chat) fail.

        429 answers "Too Many Requests: retry after N" with parameters.retry_after (N default 1);
        403 "Forbidden: bot was blocked by the user"; other statuses their usual description.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = {
                400: "Bad Request: injected failure",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: _CONFLICT_OTHER_POLL,
                429: f"Too Many Requests: retry after {retry_after}",
            }.get(status)
        if description is None:
            try:
                description = HTTPStatus(status).phrase
            except ValueError:
                description = f"Error {status}"
        self._faults.append(
            _Fault(method.lower(), status, description, retry_after, times, chat_id)
        )

    def delay(
        self, method: str, seconds: float, times: int = 1, *, chat_id: int | str | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` only after ``seconds``."""
        self._delays.append(_Delay(method.lower(), seconds, times, chat_id))

    def balance_webhook(self, urls: list[str]) -> None:
        """Stand in for a load balancer in front of several bot processes: each update for the
        webhook goes to the next of ``urls``, in turn, instead of the URL the bot set (which must
        still be set). An empty list delivers to that URL again."""
        self._webhook_upstreams = list(urls)

    def clear_faults(self) -> None:
        """Drop all pending fail() and delay() rules."""
        self._faults.clear()
        self._delays.clear()

    def enforce_rate_limits(
        self,
        per_chat_per_second: int = 1,
        global_per_second: int = 30,
        per_group_per_minute: int = 20,
    ) -> None:
        """Answer 429 like Telegram's flood control when the bot sends faster than this."""
        self._rate_limits = _RateLimits(per_chat_per_second, global_per_second, per_group_per_minute)

    def disable_rate_limits(self) -> None:
        """Turn flood control off again (the default)."""
        self._rate_limits = None

    # -- internals: waiting -------------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(
        self,
        check: Callable[[], _T],
        timeout: float,
        describe: Callable[[], str],
        changes: Callable[[], asyncio.Event] | None = None,
    ) -> _T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last_error: Exception | None = None
        while True:
            event = changes() if changes is not None else self._changed
            try:
                result = check()
            except Exception as exc:  # noqa: BLE001 - "not yet", reported on timeout
                last_error, result = exc, None  # type: ignore[assignment]
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                hint = f" (last predicate error: {last_error!r})" if last_error else ""
                raise AssertionError(
                    f"condition not met within {timeout}s{hint}; transcript:\n{describe()}"
                )
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for loses a cancellation that comes
            # as the event is set, and a waiter told to stop would wait again.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await event.wait()

    def _new_query(self) -> _PendingQuery:
        query_id = str(next(self._query_counter))
        future: asyncio.Future[CallbackAnswer] = asyncio.get_running_loop().create_future()
        query = _PendingQuery(query_id, future)
        self._queries[query_id] = query
        return query

    # -- internals: HTTP ----------------------------------------------------------------------

    @staticmethod
    def _error_response(error: ApiError) -> JSONResponse:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.status,
            "description": error.description,
        }
        if error.parameters:
            body["parameters"] = error.parameters
        return JSONResponse(body, status_code=error.status)

    async def _handle_api(self, request: Request) -> Response:
        method: str = request.path_params["method"]
        token: str = request.path_params["token"]
        self.stats.requests[method] += 1
        polling = method.lower() == "getupdates"
        if token != self.token:
            error = (
                ApiError(401, "Unauthorized")
                if _TOKEN_RE.match(token)
                else ApiError(404, "Not Found")
            )
            self.stats.errors[error.status] += 1
            return self._error_response(error)
        if not polling:
            self._inflight += 1
            self._last_activity = time.monotonic()
        values: dict[str, Any] = {}
        try:
            body = await request.body()
            values, files = decode_body(
                request.headers.get("content-type", ""), body, list(request.query_params.items())
            )
            params = Params(values, files)
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            await self._apply_delay(method, values.get("chat_id"))
            self._apply_faults(method, values.get("chat_id"))
            self._apply_rate_limits(method, values.get("chat_id"))
            result = await handler(params)
        except ApiError as error:
            self.stats.errors[error.status] += 1
            if error.status == 429:
                self.stats.too_many_requests += 1
            if not polling:
                self._record(ApiCall(method, values, error.status, error.description))
            return self._error_response(error)
        except Exception as exc:  # noqa: BLE001 - an emulator bug must not look like Telegram
            self.internal_errors.append(exc)
            self.stats.errors[500] += 1
            description = f"Internal Server Error: emulator failed on {method}: {exc!r}"
            if not polling:
                self._record(ApiCall(method, values, 500, description))
            return self._error_response(ApiError(500, description))
        finally:
            if not polling:
                self._inflight -= 1
                self._last_activity = time.monotonic()
        if not polling:
            self._record(ApiCall(method, values, 200))
        body_out: dict[str, Any] = {"ok": True, "result": result}
        if isinstance(result, _Described):
            body_out = {"ok": True, "result": result.value, "description": result.description}
        return JSONResponse(body_out)

    async def _handle_file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return self._error_response(ApiError(401, "Unauthorized"))
        path = request.path_params["file_path"]
        file = next((f for f in self._files.values() if f.file_path == path), None)
        if file is None or file.data is None:
            return self._error_response(ApiError(404, "Not Found"))
        return Response(file.data, media_type=file.mime_type or "application/octet-stream")

    def _record(self, call: ApiCall) -> None:
        self._calls.append(call)
        self._notify()
        # Waiters of one chat only (wait_for(this_chat_only=True)) wake for the calls that act in
        # it. A call that names no chat (an inline message's edit) may have changed any;
        # answerCallbackQuery changes no message.
        chat_id = call.params.get("chat_id")
        chat = self._chats.get(int(chat_id)) if str(chat_id).lstrip("-").isdigit() else None
        if chat is not None:
            chat._notify()
        elif call.method.lower() != "answercallbackquery":
            for any_chat in self._chats.values():
                any_chat._notify()

    @staticmethod
    def _matches_chat(rule_chat: int | str | None, chat_id: Any) -> bool:
        return rule_chat is None or str(rule_chat) == str(chat_id)

    async def _apply_delay(self, method: str, chat_id: Any) -> None:
        for rule in self._delays:
            if rule.method == method.lower() and rule.remaining > 0:
                if self._matches_chat(rule.chat_id, chat_id):
                    rule.remaining -= 1
                    await asyncio.sleep(rule.seconds)
                    return

    def _apply_faults(self, method: str, chat_id: Any) -> None:
        for rule in self._faults:
            if rule.method == method.lower() and rule.remaining > 0:
                if self._matches_chat(rule.chat_id, chat_id):
                    rule.remaining -= 1
                    self.stats.injected_failures += 1
                    parameters = (
                        {"retry_after": rule.retry_after} if rule.retry_after is not None else None
                    )
                    raise ApiError(rule.status, rule.description, parameters)

    def _apply_rate_limits(self, method: str, chat_id: Any) -> None:
        limits = self._rate_limits
        lowered = method.lower()
        counted = (lowered.startswith("send") and lowered != "sendchataction") or lowered in (
            "editmessagetext",
            "editmessagecaption",
            "editmessagereplymarkup",
            "copymessage",
            "forwardmessage",
        )
        if limits is None or not counted or chat_id is None:
            return
        now = time.monotonic()
        windows: list[tuple[deque[float], int, float]] = [
            (self._global_window, limits.global_per_second, 1.0),
            (self._chat_windows.setdefault(chat_id, deque()), limits.per_chat_per_second, 1.0),
        ]
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is not None and chat.type in ("group", "supergroup"):
            windows.append(
                (
                    self._group_windows.setdefault(chat_id, deque()),
                    limits.per_group_per_minute,
                    60.0,
                )
            )
        retry_after = 0.0
        for window, limit, span in windows:
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                retry_after = max(retry_after, window[0] + span - now)
        if retry_after > 0:
            seconds = max(1, math.ceil(retry_after))
            self.stats.rate_limited += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        for window, _, _ in windows:
            window.append(now)

    # -- internals: objects -------------------------------------------------------------------

    def _store_file(
        self, data: bytes | None, folder: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        number = next(self._file_counter)
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        file = StoredFile(
            file_id=f"EMU{folder[:3].upper()}{number:06d}AgAD{self.bot_id}",
            file_unique_id=f"AQAD{number:06d}",
            data=data,
            file_path=f"{folder}/file_{number}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[file.file_id] = file
        return file

    def _photo_sizes(self, file: StoredFile) -> list[dict[str, Any]]:
        width, height = _image_size(file.data or b"")
        scale = min(1.0, 90 / max(width, height, 1))
        thumb = {
            "file_id": file.file_id + "_s",
            "file_unique_id": file.file_unique_id + "s",
            "width": max(1, round(width * scale)),
            "height": max(1, round(height * scale)),
            "file_size": min(file.size, 2000),
        }
        self._files.setdefault(thumb["file_id"], file)
        full = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "width": width,
            "height": height,
            "file_size": file.size,
        }
        return [thumb, full]

    @staticmethod
    def _document_json(file: StoredFile) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": file.size,
        }
        if file.file_name:
            data["file_name"] = file.file_name
        if file.mime_type:
            data["mime_type"] = file.mime_type
        return data

    def _message_json(self, message: BotMessage, *, nested: bool = False) -> dict[str, Any]:
        chat = self._chats[message.chat_id]
        data: dict[str, Any] = {"message_id": message.message_id}
        if chat.type == "channel":
            data["sender_chat"] = chat.to_api()
        else:
            data["from"] = self.bot_user
        data["chat"] = chat.to_api()
        data["date"] = message.date
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.reply_to_message_id is not None and not nested:
            replied = chat.user_messages.get(message.reply_to_message_id)
            if replied is None and message.reply_to_message_id in chat.bot_messages:
                replied = self._message_json(
                    chat.bot_messages[message.reply_to_message_id], nested=True
                )
            if replied is not None:
                data["reply_to_message"] = replied
        text_key, entities_key = "text", "entities"
        if message.kind == "photo":
            data["photo"] = message.photo_sizes
            text_key, entities_key = "caption", "caption_entities"
        elif message.kind == "document" and message.file is not None:
            data["document"] = self._document_json(message.file)
            text_key, entities_key = "caption", "caption_entities"
        if message.text or message.kind == "text":
            data[text_key] = message.text
            if message.entities:
                data[entities_key] = message.entities
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    # -- internals: validation helpers --------------------------------------------------------

    def _target_chat(self, params: Params) -> SimulatedChat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat: SimulatedChat | None
        if isinstance(chat_id, str):
            name = chat_id.lstrip("@").lower()
            chat = next(
                (c for c in self._chats.values() if (c.username or "").lower() == name), None
            )
        else:
            chat = self._chats.get(int(chat_id))
        if chat is None:
            raise bad_request("chat not found")
        if chat.user is not None:
            if chat.user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not chat.user.has_started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _message_for_edit(self, params: Params) -> BotMessage:
        if params.get("inline_message_id"):
            raise bad_request("message to edit not found")
        chat = self._target_chat(params)
        message_id = params.int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        if message_id in chat.user_messages:
            raise bad_request("message can't be edited")
        message = chat.bot_messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        return message

    @staticmethod
    def _format(
        text: str, parse_mode: str | None, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[dict[str, Any]]]:
        if entities is not None and not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        try:
            plain, found = parse_formatted(text, parse_mode, entities)
        except MarkupError as exc:
            raise bad_request(str(exc)) from None
        limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
        if len(plain) > limit:
            raise bad_request("message caption is too long" if caption else "message is too long")
        return plain, found

    def _reply_markup(
        self, params: Params, chat: SimulatedChat, *, inline_only: bool = False
    ) -> dict[str, Any] | None:
        """Validate reply_markup; returns the inline keyboard to store on the message."""
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request('field "inline_keyboard" must be of type Array')
            for row in rows:
                for button in row:
                    self._check_button(button)
            return {"inline_keyboard": rows}
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        elif "force_reply" not in markup:
            raise bad_request("can't parse reply keyboard markup JSON object")
        return None

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("can't parse inline keyboard button: Text must be a String")
        actions = [
            k
            for k in (
                "callback_data",
                "url",
                "web_app",
                "login_url",
                "switch_inline_query",
                "switch_inline_query_current_chat",
                "switch_inline_query_chosen_chat",
                "copy_text",
                "callback_game",
                "pay",
            )
            if k in button
        ]
        if not actions:
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if (
                not isinstance(data, str)
                or not data
                or len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES
            ):
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = str(button["url"])
            if not re.match(r"^(https?|tg)://\S+$", url):
                raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_to(self, params: Params, chat: SimulatedChat) -> int | None:
        reply = params.get("reply_parameters")
        message_id = params.int("reply_to_message_id")
        allow_missing = params.bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = int(reply.get("message_id", 0)) or None
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if message_id is None:
            return None
        exists = message_id in chat.user_messages or (
            message_id in chat.bot_messages and not chat.bot_messages[message_id].deleted
        )
        if not exists:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return message_id

    def _input_file(
        self, params: Params, field: str, folder: str
    ) -> tuple[StoredFile, bool]:
        """Resolve an uploaded/attach:// file, a known file_id or a URL; (file, is_new)."""
        value = params.get(field)
        upload: UploadedFile | None = params.files.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = params.files.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f"file {value} not found")
        if upload is not None:
            if not upload.content:
                raise bad_request("file must be non-empty")
            mime = upload.content_type
            if not mime or mime == "application/octet-stream":
                mime = "image/jpeg" if folder == "photos" else mime
            return self._store_file(upload.content, folder, upload.filename, mime), True
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {field} in the request")
        if value in self._files:
            return self._files[value], False
        if re.match(r"^https?://", value):
            file = self._store_file(None, folder, value.rsplit("/", 1)[-1] or None, None)
            file.url = value
            return file, True
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _add_bot_message(self, chat: SimulatedChat, message: BotMessage) -> dict[str, Any]:
        chat.bot_messages[message.message_id] = message
        return self._message_json(message)

    # -- Bot API methods ----------------------------------------------------------------------
    # Each ``_api_<name>`` answers the method <name> (case-insensitive, like Telegram).

    async def _api_getMe(self, params: Params) -> Any:
        return self.bot_user

    async def _api_logOut(self, params: Params) -> Any:
        return True

    async def _api_close(self, params: Params) -> Any:
        return True

    async def _api_getUpdates(self, params: Params) -> Any:
        if self._webhook_url:
            raise ApiError(409, _CONFLICT_WEBHOOK)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll still waiting is terminated with 409
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        offset = params.int("offset")
        if offset is not None:
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = min(max(params.int("limit", 100) or 100, 1), 100)
        timeout = max(params.float("timeout", 0) or 0, 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT_OTHER_POLL)
            self._drop_unwanted_updates()
            batch = self._updates[:limit]
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing:
                break
            event = self._changed
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for loses a cancellation that comes
            # as the event is set, and a waiter told to stop would wait again.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await event.wait()
        if batch:
            self._fetched_update_id = max(self._fetched_update_id, batch[-1]["update_id"])
            self._notify()
        return batch

    def _drop_unwanted_updates(self) -> None:
        allowed = set(self._allowed_updates)

        def wanted(update: dict[str, Any]) -> bool:
            kinds = [k for k in update if k != "update_id"]
            if not kinds:
                return True
            if allowed:
                return kinds[0] in allowed
            return kinds[0] not in _OPT_IN_UPDATES

        self._updates = [u for u in self._updates if wanted(u)]

    async def _api_setWebhook(self, params: Params) -> Any:
        url = params.str("url") or ""
        if url and not re.match(r"^https?://[^/\s]+", url):
            raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
        secret = params.str("secret_token")
        if secret is not None and secret != "" and not _SECRET_TOKEN_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        if params.bool("drop_pending_updates"):
            self._updates.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        already = url == self._webhook_url and url != ""
        self._webhook_url = url
        self._webhook_secret = secret or None
        self._webhook_max_connections = params.int("max_connections", 40) or 40
        self._webhook_last_error = None
        self._notify()
        if not url:
            return _Described(True, "Webhook was deleted")
        return _Described(True, "Webhook is already set" if already else "Webhook was set")

    async def _api_deleteWebhook(self, params: Params) -> Any:
        if params.bool("drop_pending_updates"):
            self._updates.clear()
        existed = bool(self._webhook_url)
        self._webhook_url = ""
        self._webhook_secret = None
        self._notify()
        return _Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    async def _api_getWebhookInfo(self, params: Params) -> Any:
        info: dict[str, Any] = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_url:
            info["max_connections"] = self._webhook_max_connections
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_last_error:
                info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    async def _api_setMyCommands(self, params: Params) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        parsed: list[tuple[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _BOT_COMMAND_NAME_RE.match(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not description.strip():
                raise bad_request("command description must be non-empty")
            if len(description) > 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            parsed.append((name, description))
        key = self._commands_key(params)
        if parsed:
            self._commands[key] = parsed
        else:
            self._commands.pop(key, None)
        return True

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope")
        language = params.str("language_code") or ""
        if language and not re.match(r"^[a-z]{2}$", language):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language

    async def _api_getMyCommands(self, params: Params) -> Any:
        commands = self._commands.get(self._commands_key(params), [])
        return [{"command": c, "description": d} for c, d in commands]

    async def _api_deleteMyCommands(self, params: Params) -> Any:
        self._commands.pop(self._commands_key(params), None)
        return True

    async def _api_sendMessage(self, params: Params) -> Any:
        chat = self._target_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("message text is empty")
        plain, entities = self._format(text, params.str("parse_mode"), params.get("entities"))
        if not plain:
            raise bad_request("message text is empty")
        markup = self._reply_markup(params, chat)
        reply_to = self._reply_to(params, chat)
        message = BotMessage(
            message_id=chat.next_message_id(),
            chat_id=chat.id,
            date=_now(),
            kind="text",
            text=plain,
            entities=entities,
            raw_text=text,
            parse_mode=params.str("parse_mode"),
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return self._add_bot_message(chat, message)

    async def _send_media(self, params: Params, kind: str) -> Any:
        chat = self._target_chat(params)
        folder = "photos" if kind == "photo" else "documents"
        file, _ = self._input_file(params, kind, folder)
        caption = params.str("caption") or ""
        plain, entities = self._format(
            caption, params.str("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup = self._reply_markup(params, chat)
        reply_to = self._reply_to(params, chat)
        message = BotMessage(
            message_id=chat.next_message_id(),
            chat_id=chat.id,
            date=_now(),
            kind=kind,
            text=plain,
            entities=entities,
            raw_text=caption or None,
            parse_mode=params.str("parse_mode"),
            reply_markup=markup,
            reply_to_message_id=reply_to,
            file=file,
            photo_sizes=self._photo_sizes(file) if kind == "photo" else [],
        )
        return self._add_bot_message(chat, message)

    async def _api_sendPhoto(self, params: Params) -> Any:
        return await self._send_media(params, "photo")

    async def _api_sendDocument(self, params: Params) -> Any:
        return await self._send_media(params, "document")

    async def _api_sendChatAction(self, params: Params) -> Any:
        chat = self._target_chat(params)
        action = params.str("action")
        if action not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.chat_actions.append(action)
        return True

    async def _api_editMessageText(self, params: Params) -> Any:
        message = self._message_for_edit(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("message text is empty")
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        plain, entities = self._format(text, params.str("parse_mode"), params.get("entities"))
        chat = self._chats[message.chat_id]
        markup = self._reply_markup(params, chat, inline_only=True)
        if (plain, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        message.text, message.entities, message.reply_markup = plain, entities, markup
        message.raw_text, message.parse_mode = text, params.str("parse_mode")
        return self._mark_edited(message)

    async def _api_editMessageCaption(self, params: Params) -> Any:
        message = self._message_for_edit(params)
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        caption = params.str("caption") or ""
        plain, entities = self._format(
            caption, params.str("parse_mode"), params.get("caption_entities"), caption=True
        )
        chat = self._chats[message.chat_id]
        markup = self._reply_markup(params, chat, inline_only=True)
        if (plain, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        message.text, message.entities, message.reply_markup = plain, entities, markup
        message.raw_text, message.parse_mode = caption or None, params.str("parse_mode")
        return self._mark_edited(message)

    async def _api_editMessageReplyMarkup(self, params: Params) -> Any:
        message = self._message_for_edit(params)
        chat = self._chats[message.chat_id]
        markup = self._reply_markup(params, chat, inline_only=True)
        if markup == message.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        message.reply_markup = markup
        return self._mark_edited(message)

    def _mark_edited(self, message: BotMessage) -> dict[str, Any]:
        message.edited = True
        message.edit_count += 1
        message.edit_date = _now()
        return self._message_json(message)

    async def _api_deleteMessage(self, params: Params) -> Any:
        chat = self._target_chat(params)
        message_id = params.int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        if message_id in chat.user_messages:
            del chat.user_messages[message_id]
            return True
        message = chat.bot_messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        return True

    async def _api_answerCallbackQuery(self, params: Params) -> Any:
        query_id = params.str("callback_query_id") or ""
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(_QUERY_TOO_OLD)
        text = params.str("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        answer = CallbackAnswer(
            query_id=query_id,
            text=text or None,
            show_alert=params.bool("show_alert"),
            url=params.str("url"),
            cache_time=params.int("cache_time", 0) or 0,
        )
        if not query.future.done():
            query.future.set_result(answer)
        return True

    async def _api_getFile(self, params: Params) -> Any:
        file = self._files.get(params.str("file_id") or "")
        if file is None or file.data is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        return {
            "file_id": params.str("file_id"),
            "file_unique_id": file.file_unique_id,
            "file_size": file.size,
            "file_path": file.file_path,
        }

    async def _api_getChat(self, params: Params) -> Any:
        chat = self._target_chat(params)
        data = chat.to_api()
        data.update({"accent_color_id": 0, "max_reaction_count": 11})
        return data

    # -- webhook delivery ---------------------------------------------------------------------

    async def _webhook_worker(self) -> None:
        # Like Telegram: up to max_connections deliveries at once, but one chat's updates one at a
        # time and in order, so a user's taps reach the bot in the order they were made.
        deliveries: set[asyncio.Task[None]] = set()
        try:
            while True:
                event = self._changed
                if self._webhook_url and self._http is not None:
                    self._drop_unwanted_updates()
                    while self._webhook_in_flight < self._webhook_max_connections:
                        chats = self._webhook_chats
                        update = next((u for u in self._updates if _update_chat(u) not in chats), None)
                        if update is None:
                            break
                        self._updates.remove(update)
                        chats.add(_update_chat(update))
                        self._webhook_in_flight += 1
                        task = asyncio.create_task(self._deliver_webhook(update))
                        deliveries.add(task)
                        task.add_done_callback(deliveries.discard)
                await event.wait()
        finally:
            for task in deliveries:
                task.cancel()

    def _webhook_target(self) -> str:
        if not self._webhook_upstreams:
            return self._webhook_url
        self._webhook_turn += 1
        return self._webhook_upstreams[(self._webhook_turn - 1) % len(self._webhook_upstreams)]

    async def _deliver_webhook(self, update: dict[str, Any]) -> None:
        assert self._http is not None
        url, secret = self._webhook_target(), self._webhook_secret
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        started = time.perf_counter()
        try:
            response = await self._http.post(url, content=json.dumps(update).encode(), headers=headers)
            seconds = time.perf_counter() - started
            delivery = WebhookDelivery(update["update_id"], url, response.status_code, seconds=seconds)
            if response.status_code >= 300:
                phrase = response.reason_phrase or ""
                self._webhook_last_error = (
                    _now(),
                    f"Wrong response from the webhook: {response.status_code} {phrase}",
                )
        except httpx.HTTPError as exc:
            delivery = WebhookDelivery(update["update_id"], url, None, repr(exc), time.perf_counter() - started)
            self._webhook_last_error = (_now(), f"Connection error: {exc!r}")
        finally:
            self._webhook_in_flight -= 1
            self._webhook_chats.discard(_update_chat(update))
        self._fetched_update_id = max(self._fetched_update_id, update["update_id"])
        self.webhook_deliveries.append(delivery)
        self._last_activity = time.monotonic()
        self._notify()


def _update_chat(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to, for keeping one chat's deliveries in order (None: no chat)."""
    for kind, body in update.items():
        if kind != "update_id" and isinstance(body, dict):
            message = body.get("message") if kind == "callback_query" else body
            chat = (message or {}).get("chat") or {}
            return chat.get("id") or (body.get("from") or {}).get("id")
    return None


@dataclass(frozen=True)
class _Described:
    """A successful result that carries a ``description`` too (setWebhook & co)."""

    value: Any
    description: str
