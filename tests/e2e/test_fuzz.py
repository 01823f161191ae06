"""Bad input, fuzzed with hypothesis through the real bot: Telegram updates in, Bot API calls out.

People of two kinds take part: Idris and others with no quiz open (Idris finished today's), and
Tamar and others in the middle of one, a question waiting for their typed answer. Examples are
spread over many of them, as real traffic is, so Telegram's pace of about a message a second per
chat (which the bot keeps) does not set the fuzzer's. Each example sends one update: any text (empty, longer than
Telegram allows, bidi controls, zero-width and combining characters, emoji, Arabic and Latin mixed),
an unknown command, an edit, a sticker, photo, document or voice note, a forward, a post in a group
or a channel, a tap with forged or stale callback data, or a tap from someone the bot never saw.

After each one: no handler failed, every call the bot made was accepted by Telegram (no message
too long, no broken markup), a reply came where one is due and none where none is, and the
database is exactly as before (only the "last seen" time moves).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from telegram import Update
from telegram.ext import TypeHandler

from bot import callbacks
from bot.app import build_application, polling, prepare_database
from bot.emulator import BotApiEmulator, SimulatedUser
from bot.i18n import t
from bot.reminding import COMMON_TIMEZONES
from bot.settings import Settings
from db.engine import create_engine
from db.models import Quiz
from questions.schema import QuestionType
from tests.conftest import FakeClock
from tests.e2e.quizzing import answer, question_in

EXAMPLES = int(__import__('os').environ.get('FUZZ_EXAMPLES', 300))
IDRIS, TAMAR, STRANGER = 7100, 7200, 7999
IDLE = list(range(IDRIS, IDRIS + 30))  # nothing open: any text they send is garbage
TYPING = list(range(TAMAR, TAMAR + 6))  # a typed answer awaited: only text would answer it
TABLES = ("quizzes", "quiz_items", "cards", "review_logs")
NOT_SUBSCRIBED = {"edit", "channel"}  # edited messages and channel posts
USER_COLUMNS = "id, chat_id, language, language_chosen, timezone, timezone_asked, reminder_minute, reminders_paused"

# What makes text hard: bidi controls, zero-width characters, combining marks, emoji, Arabic and Latin.
TRICKY = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"
    "\u0301\u0308\u064b\u0651\u0670"
    "😀👍🏽🇮🇶👨‍👩‍👧\u2764\ufe0f"
    "بغداد قاعدة الأمريكي ٢٠٢٠ ١٢٣ "
    "Taji base 2020 <b>&amp;</b> \\n \t"
)
texts = st.one_of(
    st.text(alphabet=st.sampled_from(TRICKY), max_size=60),
    st.text(max_size=300),
    st.integers(4000, 5000).map(lambda n: ("قاعدة " * n)[:n]),
    st.just(""),
).filter(lambda s: not s.lstrip().startswith("/"))
KNOWN_COMMANDS = {"start", "help", "quiz", "review", "score", "chart", "history", "mistakes", "remind", "timezone",
                  "language", "export", "forget", "admin"}
unknown_commands = st.tuples(
    st.from_regex(r"[a-z0-9_]{1,32}", fullmatch=True).filter(lambda c: c not in KNOWN_COMMANDS),
    st.text(max_size=40),
).map(lambda c: f"/{c[0]} {c[1]}".rstrip())


def _garbage(data: str) -> bool:
    """Callback data that is not a button the user may legitimately tap for themselves."""
    tapped = callbacks.parse(data, zones=len(COMMON_TIMEZONES))
    return not isinstance(tapped, callbacks.Action | callbacks.ZoneChoice | callbacks.LanguageChoice | callbacks.ProgressAction)


small = st.integers(-3, 12)
forged_data = st.one_of(
    st.text(max_size=70),
    st.builds(lambda q, p, s: f"a:{q}:{p}:{s}", st.integers(-1, 40), small, small),
    st.builds(lambda q: f"h:{q}", st.integers(-1, 40)),
    st.builds(lambda n: f"tz:{n}", st.integers(-1, 99)),
    st.sampled_from(["do:", "do:nothing", "pg:", "pg:admin", "adm:send", "adm:reload", "adm:cancel", "lang:xx", "a:1:0", "a:1:0:0:0"]),
).filter(_garbage)


@dataclass(frozen=True)
class Case:
    """One update to send, from whom, and whether a reply is due."""

    kind: str
    who: int
    payload: str = ""

    @property
    def reply_due(self) -> bool:
        return self.kind in {"text", "command", "sticker", "photo", "document", "voice", "forward", "tap", "stranger"}


anyone = st.sampled_from(IDLE + TYPING)
cases = st.one_of(
    st.builds(Case, st.just("text"), st.sampled_from(IDLE), texts),
    st.builds(Case, st.just("command"), anyone, unknown_commands),
    st.builds(Case, st.just("edit"), anyone, texts),
    st.builds(Case, st.sampled_from(["sticker", "photo", "document", "voice"]), anyone, texts),
    st.builds(Case, st.just("forward"), anyone, texts),
    st.builds(Case, st.sampled_from(["group", "channel"]), st.sampled_from(IDLE), st.one_of(texts, st.just("/quiz"))),
    st.builds(Case, st.just("tap"), anyone, forged_data),
    st.builds(Case, st.just("stranger"), st.just(STRANGER), forged_data),
)


class Errors(logging.Handler):
    """Collects every ERROR record: a handler that failed, or anything else that went wrong."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Harness:
    """The bot and the emulator on an event loop of their own, one example after another."""

    def __init__(self, tmp_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.emulator = BotApiEmulator()
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}",
            reminder_sweep_seconds=0,
            chat_burst=20,
            messages_per_second=30,  # the most Telegram allows: each example gets a reply, and that pace bounds the run
            quiz_length=20,
            user_updates_per_minute=0,  # the fuzzer is a flood of its own
        )
        self.clock = FakeClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
        self.errors = Errors()
        self.tried: dict[str, int] = {}
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        await self.emulator.start()
        self.settings = self.settings.model_copy(
            update={"telegram_api_base_url": self.emulator.base_url, "telegram_api_file_base_url": self.emulator.base_file_url}
        )
        await prepare_database(self.settings, self.clock)
        self.application = build_application(self.settings, token=self.emulator.token, clock=self.clock, rng=lambda: random.Random(3))
        # Last of all, after the handlers: note that an update is done with.
        self.application.add_handler(TypeHandler(Update, self._done_with), group=99)
        self.handled: set[int] = set()
        self._polling = polling(self.application, timeout=1)
        await self._polling.__aenter__()
        logging.getLogger().addHandler(self.errors)
        self.people = {n: self.emulator.user(n, "Idris" if n in IDLE else "تمار", language_code="en" if n in IDLE else "ar") for n in IDLE + TYPING}
        self.group = self.emulator.group(-100123, "Study group")
        self.channel = self.emulator.channel(-100456, "News")
        await self._prepare_people()
        self.engine = create_engine(self.settings.database_url)

    async def _prepare_people(self) -> None:
        """Idris finishes today's quiz, the other idle people say hello; the typing ones stop at a typed question."""
        message = await self.people[IDRIS].ask("/quiz")
        while not any(button.callback_data == "do:practice" for button in message.flat_buttons):  # not done yet
            message = await answer(self.people[IDRIS], message, right=True, language="en")
        await asyncio.gather(*(self.people[n].ask("/start") for n in IDLE[1:]))
        await asyncio.gather(*(self._stop_at_a_typed_question(self.people[n]) for n in TYPING))
        await self.emulator.wait_idle()

    async def _stop_at_a_typed_question(self, user: SimulatedUser) -> None:
        message = await user.ask("/quiz")
        while question_in(message, "ar").type is not QuestionType.TYPED:
            message = await answer(user, message, right=False, language="ar")

    def close(self) -> None:
        """Stop everything."""

        async def stop() -> None:
            logging.getLogger().removeHandler(self.errors)
            await self.engine.dispose()
            await self._polling.__aexit__(None, None, None)
            await self.emulator.stop()

        self.loop.run_until_complete(stop())
        self.loop.close()

    def run(self, case: Case) -> None:
        """Send one update and check what came of it."""
        self.tried[case.kind] = self.tried.get(case.kind, 0) + 1
        self.loop.run_until_complete(self._run(case))

    async def _run(self, case: Case) -> None:
        before = await self._state()
        calls, errors = len(self.emulator.calls), len(self.errors.records)
        user = self.emulator.user(case.who, "Stranger", language_code="en")
        seen = len(user.messages)
        update_id = self.emulator._next_update_id  # the id the emulator gives the next update: ours
        await self._send(user, case)
        await self._settle(update_id, case.kind)
        made = self.emulator.calls[calls:]
        assert len(self.errors.records) == errors, [r.getMessage() for r in self.errors.records[errors:]]
        assert all(call.ok for call in made), [(c.method, c.status, c.description) for c in made if not c.ok]
        replies = [c for c in made if c.method in ("sendMessage", "sendDocument", "sendPhoto")]
        popups = [c for c in made if c.method == "answerCallbackQuery"]
        if case.kind in ("tap", "stranger"):
            assert len(popups) == 1, made
        elif case.reply_due:
            assert len(user.messages) == seen + 1 and len(replies) == 1, made
            assert user.messages[-1].text == t("en" if user.language_code == "en" else "ar", "fallback")
        else:
            assert replies == [] and popups == [], made
        assert await self._state() == before, "garbage changed the database"

    async def _send(self, user: SimulatedUser, case: Case) -> None:
        if case.kind in ("text", "command"):
            await user.send(case.payload)
        elif case.kind == "edit":
            earlier = next(iter(user.chat.user_messages.values()))
            await user.edit(earlier, case.payload or "x")
        elif case.kind == "sticker":
            await user.send_sticker()
        elif case.kind == "photo":
            await user.send_photo(caption=case.payload[:1024] or None)
        elif case.kind == "document":
            await user.send_document(case.payload.encode()[:2048] or b"-", caption=case.payload[:1024] or None)
        elif case.kind == "voice":
            await user.send_voice()
        elif case.kind == "forward":
            await user.forward(case.payload or "x", origin=self.people[IDRIS if case.who != IDRIS else TAMAR])
        elif case.kind == "group":
            await user.send(case.payload or "x", chat=self.group)
        elif case.kind == "channel":
            await self.emulator.post_in_channel(self.channel, case.payload or "x")
        else:  # tap, stranger: forged data on the bot's first message to them, or one it never sent
            first = user.messages[0].message_id if user.messages else 1
            await user.tap_data(first, case.payload)

    async def _done_with(self, update: object, _context: object) -> None:
        assert isinstance(update, Update)
        self.handled.add(update.update_id)

    async def _settle(self, update_id: int, kind: str) -> None:
        """Wait until the update was handled (its replies sent) and the bot has gone quiet."""
        if kind in NOT_SUBSCRIBED:  # Telegram keeps them from the bot: allowed_updates names neither
            await self.emulator.wait_idle(quiet=0.05, timeout=10)
            assert update_id not in self.handled
            return
        for _ in range(1000):
            if update_id in self.handled:
                await self.emulator.wait_idle(quiet=0.01, timeout=10)
                return
            await asyncio.sleep(0.005)
        raise AssertionError(f"update {update_id} was not handled within 5 s")

    async def _state(self) -> list[object]:
        async with self.engine.connect() as connection:
            rows: list[object] = [
                (await connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))).all() for table in TABLES
            ]
            rows.append((await connection.execute(text(f"SELECT {USER_COLUMNS} FROM users WHERE id != :s ORDER BY id"), {"s": STRANGER})).all())
            rows.append((await connection.execute(select(Quiz.id).where(Quiz.user_id == STRANGER))).all())
        return rows


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    """The bot, with Idris and Tamar in place."""
    running = Harness(tmp_path)
    yield running
    running.close()


def test_no_input_brings_the_bot_down_or_changes_what_it_stores(harness: Harness) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(cases)
    def send_one(case: Case) -> None:
        harness.run(case)

    send_one()
    tried = sum(harness.tried.values())
    assert tried >= EXAMPLES * 0.9
    print(f"\nfuzz: {tried} cases through the real handlers: " + ", ".join(f"{k} {v}" for k, v in sorted(harness.tried.items())))
