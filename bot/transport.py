"""The HTTP layer under every Bot API call: retries a failed call only when that cannot send anything twice.

Whether a retry is safe depends on what Telegram saw:

- The request never left (the connection could not be opened, or no pooled connection was free):
  Telegram saw nothing, so any call is retried.
- Telegram answered 500, 502 or 503: it says the call failed, so any call is retried.
- No answer came (a read timeout, a connection reset after the request was written, 504 from a
  gateway): Telegram may have done it. Only calls that do the same thing twice are retried (get*,
  set*, delete*, edit*). A sendMessage is not: a second one would be a second message in the chat.
  The caller gets the error instead; the user's state is already in the database, so their next tap
  or /quiz carries on.

429 is not retried here: SendRateLimiter (bot/ratelimit.py) waits out retry_after for every call.
Retries back off exponentially, with jitter so that many waiting calls do not return at once; only
the failed call waits, so other users' calls go on meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import httpx
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

ATTEMPTS = 4
FIRST_BACKOFF = 0.5  # seconds before the first retry; doubled for each next one
MAX_BACKOFF = 8.0
TIMEOUT = 10.0  # seconds to wait for Telegram's answer before counting a call as unanswered
CONNECTIONS = 256  # what PTB's ApplicationBuilder gives the bot's own request object

REFUSED_STATUSES = frozenset({500, 502, 503})
UNANSWERED_STATUSES = frozenset({504})
SAME_TWICE_PREFIXES = ("get", "set", "delete", "edit")
# The request was written, or may have been, and no whole answer came back: timeouts, resets, cut responses.
UNANSWERED_ERRORS = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


class Failure(StrEnum):
    """What a failed Bot API call tells about whether Telegram acted on it."""

    NOT_SENT = "not sent"  # Telegram never saw the request
    REFUSED = "refused"  # Telegram answered that the call failed
    UNANSWERED = "unanswered"  # Telegram may or may not have acted on it


def failure_of(error: BaseException) -> Failure | None:
    """What an HTTP error says about the call, or None for errors that are not about the network."""
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return Failure.NOT_SENT
    if isinstance(error, UNANSWERED_ERRORS):
        return Failure.UNANSWERED
    return None


def failure_of_status(status: int) -> Failure | None:
    """What an HTTP status says about the call, or None when it is an answer to hand to the caller."""
    if status in REFUSED_STATUSES:
        return Failure.REFUSED
    if status in UNANSWERED_STATUSES:
        return Failure.UNANSWERED
    return None


def does_the_same_twice(endpoint: str) -> bool:
    """Whether calling `endpoint` twice leaves Telegram as calling it once would."""
    return endpoint.lower().startswith(SAME_TWICE_PREFIXES)


def safe_to_retry(endpoint: str, failure: Failure) -> bool:
    """Whether a call of `endpoint` that failed this way may be sent again."""
    return failure is not Failure.UNANSWERED or does_the_same_twice(endpoint)


def backoff(attempt: int, jitter: float) -> float:
    """Seconds to wait before retry number `attempt` (1-based), `jitter` in [0, 1)."""
    return min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (attempt - 1)) * (0.5 + jitter / 2)


class RetryingRequest(HTTPXRequest):
    """PTB's HTTPX request, retrying failed calls with backoff when a retry cannot send anything twice."""

    def __init__(
        self,
        *,
        timeout: float = TIMEOUT,
        attempts: int = ATTEMPTS,
        jitter: Callable[[], float] = random.random,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        super().__init__(connection_pool_size=CONNECTIONS, read_timeout=timeout, write_timeout=timeout)
        self._attempts, self._jitter, self._sleep = attempts, jitter, sleep

    async def do_request(self, url: str, method: str, request_data: Any = None, **timeouts: Any) -> tuple[int, bytes]:
        """Send the call; on a failure that is safe to retry, wait and send it again."""
        endpoint = url.rsplit("/", 1)[-1]
        attempt = 1
        while True:
            try:
                status, payload = await super().do_request(url, method, request_data, **timeouts)
            except NetworkError as error:  # PTB's TimedOut and NetworkError wrap the httpx error
                failure = failure_of(error.__cause__) if error.__cause__ else None
                if failure is None or not self._retry(endpoint, failure, attempt):
                    raise
            else:
                failure = failure_of_status(status)
                if failure is None or not self._retry(endpoint, failure, attempt):
                    return status, payload
            delay = backoff(attempt, self._jitter())
            log.warning("%s failed (%s, attempt %d); retrying in %.1f s", endpoint, failure, attempt, delay)
            await self._sleep(delay)
            attempt += 1

    def _retry(self, endpoint: str, failure: Failure, attempt: int) -> bool:
        if attempt >= self._attempts:
            log.warning("%s failed (%s) %d times; giving up", endpoint, failure, attempt)
            return False
        if not safe_to_retry(endpoint, failure):
            log.warning("%s got no answer; not retried, Telegram may have acted on it", endpoint)
            return False
        return True
