"""Telegram misbehaving: 429s, 5xx, timeouts, connection resets, outages and slow answers.

Each case breaks one call of one user's (Ann's) and checks what Ann ends up with: the message exactly
once when Telegram took it or the bot could safely retry, never twice; and no message at all only
when the call was cut before Telegram saw it and the bot could not know (a send is never guessed
twice). Meanwhile another user (Ben) asks for /help, and his wait is measured.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.app import build_application, polling, prepare_database
from bot.emulator import BotApiEmulator, SimulatedUser
from bot.settings import Settings
from tests.e2e.flaky_network import FlakyNetwork
from tests.e2e.quizzing import question_in, right_label

TIMEOUT = 0.8  # the bot's TELEGRAM_TIMEOUT_SECONDS here: a slower answer counts as none
ANN, BEN = 2001, 2002
BEN_WAITS_AT_MOST = 1.0  # seconds for /help while Ann's call is failing


@dataclass
class Network:
    """The emulator, and the flaky proxy the bot reaches it through."""

    emulator: BotApiEmulator
    proxy: FlakyNetwork
    application: Application

    async def settle(self) -> None:
        """Wait until the bot has finished every update (backoffs included) and Telegram is quiet."""
        processor = self.application.update_processor
        while True:
            await self.emulator.wait_idle(quiet=0.2, timeout=10)
            if self.application.update_queue.empty() and processor.current_concurrent_updates == 0:
                return
            await asyncio.sleep(0.05)


@pytest.fixture
async def network(emulator: BotApiEmulator, tmp_path: Path, clock) -> AsyncIterator[Network]:  # type: ignore[no-untyped-def]
    """The bot, polling the emulator through a flaky proxy, with a short Telegram timeout."""
    async with FlakyNetwork(emulator.port) as proxy:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'faults.db'}",
            telegram_api_base_url=proxy.base_url,
            telegram_api_file_base_url=proxy.base_file_url,
            reminder_sweep_seconds=0,
            chat_burst=20,
            telegram_timeout_seconds=TIMEOUT,
        )
        await prepare_database(settings, clock)
        application = build_application(settings, token=emulator.token, clock=clock, rng=lambda: random.Random(7))
        async with polling(application, timeout=1):
            yield Network(emulator, proxy, application)


async def ben_waits(ben: SimulatedUser) -> float:
    """How long Ben waits for /help."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    await ben.ask("/help")
    return loop.time() - started


def sent_to(emulator: BotApiEmulator, chat_id: int, method: str = "sendMessage") -> list[str]:
    """What the emulator accepted from the bot for a chat: the texts of its successful calls."""
    return [
        str(call.params.get("text", "")) for call in emulator.calls_of(method) if call.ok and str(call.params.get("chat_id")) == str(chat_id)
    ]


Arrange = Callable[[Network], Awaitable[None] | None]

# (name, arrange the fault on Ann's reply to /start, welcomes Ann should get, whether Ben may wait as long)
SEND_CASES: list[tuple[str, Arrange, int, bool]] = [
    ("429, retry after 1 s", lambda n: n.emulator.fail("sendMessage", status=429, retry_after=1, chat_id=ANN), 1, True),
    ("500 twice", lambda n: n.emulator.fail("sendMessage", status=500, times=2, chat_id=ANN), 1, False),
    ("502 twice", lambda n: n.emulator.fail("sendMessage", status=502, times=2, chat_id=ANN), 1, False),
    ("503 three times", lambda n: n.emulator.fail("sendMessage", status=503, times=3, chat_id=ANN), 1, False),
    ("taken, answered too late", lambda n: n.emulator.delay("sendMessage", TIMEOUT + 0.7, chat_id=ANN), 1, False),
    ("taken, connection reset before the answer", lambda n: n.proxy.cut("sendMessage", before=False, chat_id=ANN), 1, False),
    ("slow, answered in time", lambda n: n.emulator.delay("sendMessage", TIMEOUT * 0.6, chat_id=ANN), 1, False),
    ("connection reset before Telegram saw it", lambda n: n.proxy.cut("sendMessage", before=True, chat_id=ANN), 0, False),
]


@pytest.mark.parametrize(("arrange", "welcomes", "ben_may_wait"), [c[1:] for c in SEND_CASES], ids=[c[0] for c in SEND_CASES])
async def test_a_failing_send_reaches_the_user_at_most_once_and_others_are_served_meanwhile(
    network: Network, arrange: Arrange, welcomes: int, ben_may_wait: bool, request: pytest.FixtureRequest
) -> None:
    emulator = network.emulator
    ann, ben = emulator.user(ANN, "Ann", language_code="en"), emulator.user(BEN, "Ben", language_code="en")
    await ben.ask("/start")  # Ben is known; his connection is warm
    arranged = arrange(network)
    if arranged is not None:
        await arranged
    await ann.send("/start")
    await asyncio.sleep(0.05)  # Ann's reply is under way, failing
    waited = await ben_waits(ben)
    await network.settle()
    assert len([text for text in sent_to(emulator, ANN) if "Ann" in text]) == welcomes
    assert len([m for m in ann.messages if "Ann" in m.text]) == welcomes
    assert waited < BEN_WAITS_AT_MOST or ben_may_wait, f"Ben waited {waited:.2f} s"
    assert not emulator.internal_errors
    print(f"\nTelegram fault {request.node.callspec.id}: Ann got {welcomes} welcome(s); Ben waited {waited * 1000:.0f} ms")


async def test_a_send_retried_into_an_outage_goes_out_once_telegram_is_back(network: Network) -> None:
    emulator = network.emulator
    ann = emulator.user(ANN, "Ann", language_code="en")
    await ann.ask("/start")
    emulator.fail("sendMessage", status=500, chat_id=ANN)  # refused once; the retry then finds no network
    await ann.send("/help")
    await emulator.wait_for_call("sendMessage", lambda call: call.status == 500)
    await asyncio.sleep(0.1)  # the 500 reaches the bot, which backs off at least 0.25 s
    await network.proxy.outage(0.6)  # connections refused: the retries see "not sent", and try again
    await ann.wait_for(lambda messages: len(messages) == 2, timeout=10)
    await network.settle()
    assert len(sent_to(emulator, ANN)) == 2  # the welcome and the help, once each


@pytest.mark.parametrize(
    "arrange",
    [
        lambda n: n.emulator.fail("answerCallbackQuery", status=500, times=2),
        lambda n: n.emulator.fail("editMessageText", status=502, times=2, chat_id=ANN),
        lambda n: n.emulator.delay("editMessageText", TIMEOUT + 0.5, chat_id=ANN),
        lambda n: n.proxy.cut("editMessageText", before=True, chat_id=ANN),
        lambda n: n.proxy.cut("editMessageText", before=False, chat_id=ANN),
    ],
    ids=["popup 500", "edit 502", "edit answered too late", "edit reset before Telegram", "edit reset after Telegram"],
)
async def test_an_answer_survives_a_failing_popup_or_edit_and_the_next_question_comes_once(
    network: Network, arrange: Arrange
) -> None:
    emulator = network.emulator
    ann = emulator.user(ANN, "Ann", language_code="en")
    question = await ann.ask("/quiz")
    while not question.flat_buttons:  # a typed question first: answer it, to get to a button one
        before = len(ann.messages)
        await ann.send(right_label(question_in(question, "en"), "en"))
        question = await ann.wait_for(lambda messages: messages[before + 1] if len(messages) > before + 1 else None)
    arrange(network)
    before = len(ann.messages)
    popup = await ann.tap(question, right_label(question_in(question, "en"), "en"), timeout=10)
    await network.settle()
    assert popup.text == "✅ Right"
    assert ann.chat.bot_messages[question.message_id].edit_count == 1  # turned into its feedback, once
    assert "✅ Right!" in ann.chat.bot_messages[question.message_id].text
    assert len(ann.messages) == before + 1  # and the next question, once
    assert not emulator.internal_errors

