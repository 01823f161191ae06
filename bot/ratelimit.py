"""The one outbound sending policy: every Bot API call the Application makes passes through here.

Three rules, per limiter instance unless the overall pace is shared (see below):

- Overall, requests addressed to a chat go out evenly spaced, at most `overall_per_second`
  (Telegram allows about 30 messages a second to different chats).
- In one chat, requests that post a new message (sendMessage, sendPhoto, sendDocument, any other
  send* but sendChatAction, copy and forward) go out about once every `chat_interval` seconds,
  after a burst of `chat_burst`, which keeps "feedback, next question" instant. Edits and
  answerCallbackQuery are not limited per chat: each follows one tap of the user's, so the user's
  own pace bounds them, and delaying them is what makes a bot feel slow (a callback query must be
  answered within seconds or the button keeps spinning). answerCallbackQuery has no chat_id, so it
  is not counted in the overall rate either: it posts nothing.
- A 429 (RetryAfter) stops every request for the time Telegram asks, then the request is retried,
  at most `max_retries` times before the RetryAfter is raised. Any other error, such as Forbidden
  when the user blocked the bot, is raised at once for the caller to handle.

With several workers, the overall rate is the bot's, not each process's: given a `shared` pace
(db.pacing.SharedPace on PostgreSQL), every request addressed to a chat takes its turn there
instead of in the process's own bucket, and a 429 pauses every worker. Per-chat pacing stays in
each process: a chat's messages follow its own user's taps, at a person's pace, so with its
updates spread over workers the worst is one extra burst of `chat_burst`.

Buckets are aiolimiter's leaky buckets, the library PTB's own AIORateLimiter uses. That class is
not reused: it limits groups only, not private chats, and its internals are private.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

OVERALL_PER_SECOND = 25.0
CHAT_INTERVAL = 1.0
CHAT_BURST = 3
MAX_RETRIES = 3
RETRY_MARGIN = 0.1  # seconds on top of Telegram's retry_after, which is rounded to whole seconds
CHATS_KEPT = 1000  # past this many chat buckets, idle ones are dropped

Result = bool | dict[str, Any] | list[dict[str, Any]]


class SharedPace(Protocol):
    """An overall pace several processes take turns from."""

    async def take_turn(self) -> float:
        """Take the next turn; returns the seconds until it comes."""

    async def pause(self, seconds: float) -> None:
        """Hold everyone's turns for `seconds` from now."""

    async def close(self) -> None:
        """Release what the pace holds."""


class SendRateLimiter(BaseRateLimiter[None]):
    """Spaces out the bot's requests overall and per chat, and waits out 429s."""

    def __init__(
        self,
        *,
        overall_per_second: float = OVERALL_PER_SECOND,
        chat_interval: float = CHAT_INTERVAL,
        chat_burst: int = CHAT_BURST,
        max_retries: int = MAX_RETRIES,
        shared: SharedPace | None = None,
        on_error: Callable[[str, TelegramError], None] | None = None,
    ) -> None:
        """`shared`: take the overall turns there, across processes; `on_error`: told of every failed
        request (endpoint, error), 429s that are retried included."""
        if overall_per_second <= 0 or chat_interval <= 0 or chat_burst < 1 or max_retries < 0:
            raise ValueError(
                "rate limits must be positive: overall_per_second > 0, chat_interval > 0, chat_burst >= 1,"
                " max_retries >= 0"
            )
        # A bucket of one spaces requests evenly; a bucket of N would let N through at once on top of the rate.
        self._overall = AsyncLimiter(1, 1 / overall_per_second)
        self._chat_interval, self._chat_burst, self._max_retries = chat_interval, chat_burst, max_retries
        self._shared, self._on_error = shared, on_error
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._resume_at = 0.0  # event-loop time before which nothing goes out, after a 429

    async def initialize(self) -> None:
        """Nothing to set up: buckets are made on first use."""

    async def shutdown(self) -> None:
        """Forget the chat buckets and release the shared pace."""
        self._chats.clear()
        if self._shared is not None:
            await self._shared.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        """Send the request when the limits allow, retrying after a 429."""
        chat = _chat_key(data.get("chat_id"))
        attempt = 0
        while True:
            if chat is not None and _posts_a_message(endpoint):
                await self._take_turn(chat)
            if chat is not None:
                await (self._take_shared_turn() if self._shared else self._take_turn(None))
            await self._wait_out_flood()
            try:
                return await callback(*args, **kwargs)
            except TelegramError as error:
                if self._on_error is not None:
                    self._on_error(endpoint, error)
                if not isinstance(error, RetryAfter) or attempt == self._max_retries:
                    raise
                attempt += 1
                wait = _seconds(error.retry_after) + RETRY_MARGIN
                logger.warning("%s hit Telegram's flood limit; all sending waits %.1f s", endpoint, wait)
                self._resume_at = max(self._resume_at, _now() + wait)
                if self._shared is not None:
                    with contextlib.suppress(SQLAlchemyError, OSError):  # this process pauses all the same
                        await self._shared.pause(wait)

    async def _take_turn(self, chat: int | str | None) -> None:
        """Wait for a slot in the chat's bucket, or in the overall one when `chat` is None."""
        # Waiting for the flood pause before taking from the bucket, and again if a pause began
        # meanwhile, keeps requests from piling up behind a pause and leaving all at once.
        while True:
            await self._wait_out_flood()
            await (self._overall if chat is None else self._chat_bucket(chat)).acquire()
            if _now() >= self._resume_at:
                return

    async def _take_shared_turn(self) -> None:
        await self._wait_out_flood()
        try:
            wait = await self._shared.take_turn()  # type: ignore[union-attr]
        except (SQLAlchemyError, OSError) as error:
            # The database is away: this process paces itself alone meanwhile, so that the users it
            # tells "try again" (and everything else it sends) are not held up by the database too.
            logger.warning("the shared send pace is unavailable (%s); pacing this process alone", type(error).__name__)
            await self._take_turn(None)
            return
        await asyncio.sleep(wait)

    async def _wait_out_flood(self) -> None:
        while (delay := self._resume_at - _now()) > 0:
            await asyncio.sleep(delay)

    def _chat_bucket(self, chat: int | str) -> AsyncLimiter:
        if len(self._chats) > CHATS_KEPT:
            for key, bucket in list(self._chats.items()):
                if key != chat and bucket.has_capacity(bucket.max_rate):  # empty: the chat is idle
                    del self._chats[key]
        if chat not in self._chats:
            self._chats[chat] = AsyncLimiter(self._chat_burst, self._chat_burst * self._chat_interval)
        return self._chats[chat]


def _posts_a_message(endpoint: str) -> bool:
    return endpoint.startswith(("send", "copyMessage", "forwardMessage")) and endpoint != "sendChatAction"


def _chat_key(chat_id: object) -> int | str | None:
    # The same chat may come as 42 or "42"; "@channel" names stay as they are.
    if chat_id is None:
        return None
    try:
        return int(chat_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(chat_id)


def _seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


def _now() -> float:
    return asyncio.get_running_loop().time()
