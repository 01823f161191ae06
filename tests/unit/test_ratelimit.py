"""The sending policy, through PTB's own bot with the HTTP layer swapped for a fake Telegram.

The clock is asyncio's own, so the limits are scaled down to tenths of a second to keep tests fast;
lower bounds on waiting are exact, upper bounds leave room for a slow machine.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram.error import Forbidden, RetryAfter
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

from bot.ratelimit import CHATS_KEPT, RETRY_MARGIN, SendRateLimiter

BOT_USER = {"id": 1, "is_bot": True, "first_name": "Quiz", "username": "quiz_bot"}


class FakeTelegram(BaseRequest):
    """Answers Bot API calls as Telegram would, noting when each arrived; queued refusals go first."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str, Any]] = []  # (seconds since the first call, endpoint, chat_id)
        self.refusals: list[tuple[int, dict[str, Any]]] = []
        self._started: float | None = None

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[1]
        if endpoint == "getMe":  # the bot starting up
            return 200, json.dumps({"ok": True, "result": BOT_USER}).encode()
        chat_id = request_data.parameters.get("chat_id") if request_data else None
        now = asyncio.get_running_loop().time()
        self._started = now if self._started is None else self._started
        self.calls.append((now - self._started, endpoint, chat_id))
        if self.refusals:
            status, body = self.refusals.pop(0)
            return status, json.dumps({"ok": False, "error_code": status, **body}).encode()
        return 200, json.dumps({"ok": True, "result": _result(endpoint, chat_id, len(self.calls))}).encode()

    def times(self, endpoint: str = "sendMessage", chat_id: int | None = None) -> list[float]:
        """When each call to `endpoint` (in that chat, if given) arrived."""
        return [at for at, name, chat in self.calls if name == endpoint and chat_id in (None, chat)]


def _result(endpoint: str, chat_id: Any, message_id: int) -> Any:
    if endpoint == "answerCallbackQuery":
        return True
    return {"message_id": message_id, "date": 0, "chat": {"id": chat_id, "type": "private"}, "text": "ok"}


def flood(seconds: float) -> tuple[int, dict[str, Any]]:
    """A 429; Telegram asks for whole seconds, fractions keep the tests fast."""
    return 429, {"description": f"Too Many Requests: retry after {seconds}", "parameters": {"retry_after": seconds}}


BLOCKED = (403, {"description": "Forbidden: bot was blocked by the user"})


@pytest.fixture
def telegram() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[ExtBot[None]]:
    async with bot_for(telegram, SendRateLimiter()) as started:
        yield started


def bot_for(telegram: FakeTelegram, limiter: SendRateLimiter) -> ExtBot[None]:
    return ExtBot("123456:TEST", request=telegram, get_updates_request=telegram, rate_limiter=limiter)


async def send(bot: ExtBot[None], *chat_ids: int) -> None:
    """Send one message to each chat, all at once."""
    await asyncio.gather(*(bot.send_message(chat_id, "hi") for chat_id in chat_ids))


async def test_a_short_burst_in_one_chat_goes_out_at_once_then_one_an_interval(telegram: FakeTelegram) -> None:
    async with bot_for(telegram, SendRateLimiter(chat_interval=0.2, overall_per_second=200)) as bot:
        await send(bot, *[42] * 6)
    burst, paced = telegram.times()[:3], telegram.times()[3:]
    assert max(burst) < 0.1
    for n, at in enumerate(paced, start=1):
        assert 0.2 * n - 0.01 <= at < 0.2 * n + 0.1


async def test_answering_one_question_after_another_is_not_slowed(bot: ExtBot[None], telegram: FakeTelegram) -> None:
    for _ in range(3):  # feedback, next question; feedback, next question...
        await bot.edit_message_text("right!", chat_id=42, message_id=1)
        await bot.send_message(42, "next question")
    assert max(at for at, _, _ in telegram.calls) < 0.5  # a second per message would take 2 s


async def test_a_busy_chat_does_not_hold_up_the_others(telegram: FakeTelegram) -> None:
    async with bot_for(telegram, SendRateLimiter(chat_interval=0.3, overall_per_second=200)) as bot:
        await send(bot, *[42] * 5, 7)
    assert telegram.times(chat_id=7)[0] < 0.15
    assert telegram.times(chat_id=42)[-1] >= 0.6


async def test_no_moment_sees_more_than_the_overall_rate(telegram: FakeTelegram) -> None:
    async with bot_for(telegram, SendRateLimiter(overall_per_second=50)) as bot:
        await send(bot, *range(1, 31))
    times = telegram.times()
    busiest_fifth_of_a_second = max(sum(start <= at < start + 0.2 for at in times) for start in times)
    assert busiest_fifth_of_a_second <= 11  # 10 at 50 a second, and one more where the window starts on a send
    assert times[-1] >= 29 / 50 - 0.01
    assert times[-1] < 2 * 29 / 50  # and not much slower than that


async def test_edits_and_callback_answers_are_not_limited_per_chat(bot: ExtBot[None], telegram: FakeTelegram) -> None:
    await asyncio.gather(*(bot.edit_message_text("edited", chat_id=42, message_id=1) for _ in range(6)))
    await asyncio.gather(*(bot.answer_callback_query(str(n)) for n in range(60)))
    assert max(telegram.times("editMessageText")) < 0.5  # 0.2 s at 25 a second
    answers = telegram.times("answerCallbackQuery")
    assert max(answers) - min(answers) < 0.1  # not even the overall rate: 60 would take 2.4 s


async def test_a_429_is_waited_out_and_the_message_sent(bot: ExtBot[None], telegram: FakeTelegram) -> None:
    telegram.refusals.append(flood(0.2))
    message = await bot.send_message(42, "hi")
    assert message.chat_id == 42
    first, retry = telegram.times()
    assert retry - first >= 0.2 + RETRY_MARGIN
    assert retry - first < 0.2 + RETRY_MARGIN + 0.2


async def test_a_429_holds_back_every_chat(bot: ExtBot[None], telegram: FakeTelegram) -> None:
    telegram.refusals.append(flood(0.3))

    async def another_chat_a_little_later() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(7, "hi")

    await asyncio.gather(bot.send_message(42, "hi"), another_chat_a_little_later())
    assert telegram.times(chat_id=7)[0] >= 0.3 + RETRY_MARGIN


async def test_429s_are_retried_a_bounded_number_of_times(telegram: FakeTelegram) -> None:
    telegram.refusals.extend(flood(0.01) for _ in range(10))
    async with bot_for(telegram, SendRateLimiter(max_retries=2)) as bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(42, "hi")
    assert len(telegram.times()) == 3


async def test_a_blocked_user_is_reported_at_once(bot: ExtBot[None], telegram: FakeTelegram) -> None:
    telegram.refusals.append(BLOCKED)
    with pytest.raises(Forbidden):
        await bot.send_message(42, "hi")
    assert len(telegram.times()) == 1


async def test_limiters_do_not_share_their_counts(telegram: FakeTelegram) -> None:
    first_limiter, second_limiter = SendRateLimiter(chat_interval=0.5), SendRateLimiter(chat_interval=0.5)
    async with bot_for(telegram, first_limiter) as first, bot_for(telegram, second_limiter) as second:
        await asyncio.gather(send(first, 42, 42, 42), send(second, 42, 42, 42))
    assert max(telegram.times()) < 0.3  # one limiter alone would hold the 4th message until 0.5 s


async def test_idle_chats_are_forgotten() -> None:
    limiter = SendRateLimiter(overall_per_second=1_000_000, chat_interval=0.0001)

    async def sent() -> bool:
        return True

    for chat_id in range(3 * CHATS_KEPT):
        await limiter.process_request(sent, (), {}, "sendMessage", {"chat_id": chat_id}, None)
    assert len(limiter._chats) <= CHATS_KEPT + 1


@pytest.mark.parametrize(
    "settings",
    [{"overall_per_second": 0}, {"chat_interval": 0}, {"chat_burst": 0}, {"max_retries": -1}],
)
def test_limits_that_make_no_sense_are_refused(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="rate limits"):
        SendRateLimiter(**settings)  # type: ignore[arg-type]


class FakePace:
    """A shared pace that hands out turns 0.05 s apart and notes pauses, as db.pacing.SharedPace would."""

    def __init__(self) -> None:
        self.turns_taken, self.pauses, self.closed = 0, [], False

    async def take_turn(self) -> float:
        self.turns_taken += 1
        return 0.05 * (self.turns_taken - 1)

    async def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)

    async def close(self) -> None:
        self.closed = True


async def test_a_shared_pace_sets_the_overall_turns_and_hears_of_429s(telegram: FakeTelegram) -> None:
    pace = FakePace()
    telegram.refusals.append(flood(0.1))
    async with bot_for(telegram, SendRateLimiter(overall_per_second=1000, shared=pace)) as bot:
        await send(bot, 1, 2, 3)
        await bot.answer_callback_query("1")  # no chat: no turn
    assert pace.turns_taken == 4  # three messages, one of them sent again after the 429
    assert pace.pauses == [pytest.approx(0.1 + RETRY_MARGIN)]
    assert telegram.times()[-1] >= 0.1  # the shared turns, not the local 1000 a second, set the pace
    assert pace.closed


async def test_every_refusal_is_reported_retried_429s_included(telegram: FakeTelegram) -> None:
    refused: list[tuple[str, str]] = []
    limiter = SendRateLimiter(on_error=lambda endpoint, error: refused.append((endpoint, type(error).__name__)))
    telegram.refusals += [flood(0.05), BLOCKED]
    async with bot_for(telegram, limiter) as bot:
        with pytest.raises(Forbidden):
            await bot.send_message(42, "hi")
    assert refused == [("sendMessage", "RetryAfter"), ("sendMessage", "Forbidden")]
