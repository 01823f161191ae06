"""Crash safety: the bot process is killed with SIGKILL at random moments while people take their quizzes.

Learners take the daily quiz (20 questions: buttons and typed answers) as fast as the bot answers,
while a killer SIGKILLs the `quizbot run` process at seeded random moments and starts a new one. A
learner who gets no answer does what a person would: taps the same button again, or sends /quiz to
see where they are. Each learner keeps a ledger of the answers they saw acknowledged:

- "feedback": the tap's popup said right or wrong, or the typed answer's feedback arrived;
- "already": a second tap of the same button said it was already answered (the first one was
  recorded, but the bot died before it could say so);
- "moved on": a typed answer went unanswered, and /quiz then showed the next question.

Then the database must hold every acknowledged answer exactly once and nothing else, in order, and
the cards, review logs, score and streak must equal a replay of the ledger through the pure core.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Self, TypeVar

import pytest
from sqlalchemy import select

from bot.emulator import BotApiEmulator, SimulatedUser
from bot.emulator.models import BotMessage, CallbackAnswer
from bot.i18n import t
from db.engine import create_engine
from db.models import Card, Quiz, QuizItem, ReviewLog
from db.repository import Database
from learning.scheduling import CardState, new_card, review
from learning.stats import Answer, accuracy, current_streak
from questions.schema import Question, QuestionType
from tests.e2e.quizzing import BANK, answer, question_in, right_label

KILLS = 20
QUIZ_LENGTH = 20
LEARNERS_AT_ONCE = 3
SEED = 20260310
FORKSERVER = Path(__file__).with_name("forkserver.py")
HEADER = re.compile(r"Question (\d+)/(\d+)")
SAID = {
    t("en", "notice_right"): "right",
    t("en", "notice_wrong"): "wrong",
    t("en", "notice_already_answered"): "already",
}
FEEDBACK = {t("en", "feedback_right"): True, t("en", "feedback_wrong"): False}

T = TypeVar("T")


class BotProcesses:
    """`quizbot run` as separate processes: SIGKILLed and started again, one at a time."""

    def __init__(self, emulator: BotApiEmulator, env: dict[str, str], log: Path) -> None:
        self.emulator, self.env, self.log = emulator, env, log
        self.generation = 0  # how many times the bot was killed
        self.settled = asyncio.Event()  # a bot is up, and all that was under way has been handled or lost
        self.pid: int | None = None
        self._server: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Self:
        with self.log.open("ab") as log:
            self._server = await asyncio.create_subprocess_exec(
                sys.executable, str(FORKSERVER), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=log, env=self.env,
            )
        await self._start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.pid is not None:
            os.kill(self.pid, signal.SIGTERM)
            await self._ask(f"reap {self.pid}")
        assert self._server is not None and self._server.stdin is not None
        self._server.stdin.close()
        await self._server.wait()

    async def kill_and_restart(self, meanwhile: Callable[[], object] = lambda: None) -> None:
        """SIGKILL the running bot, call `meanwhile`, start a new bot, and wait until what was under way is settled."""
        assert self.pid is not None
        self.settled.clear()
        self.generation += 1
        os.kill(self.pid, signal.SIGKILL)
        await self._ask(f"reap {self.pid}")
        meanwhile()
        await self._start()

    async def _start(self) -> None:
        polls = self.emulator.stats.requests["getUpdates"]
        self.pid = int(await self._ask("start"))
        for _ in range(400):  # the new bot is up once it polls
            if self.emulator.stats.requests["getUpdates"] > polls:
                break
            await asyncio.sleep(0.025)
        else:
            raise AssertionError(f"the bot did not start; its log ends:\n{self.log.read_text()[-3000:]}")
        await self.emulator.wait_idle(quiet=0.15, timeout=10)
        self.settled.set()

    async def _ask(self, command: str) -> str:
        assert self._server is not None and self._server.stdin is not None and self._server.stdout is not None
        self._server.stdin.write(f"{command}\n".encode())
        await self._server.stdin.drain()
        return (await asyncio.wait_for(self._server.stdout.readline(), 10)).decode().strip()


@dataclass(frozen=True)
class Acknowledged:
    """An answer the learner saw taken."""

    question: Question
    correct: bool
    how: str  # feedback | already | moved on


class Learner:
    """A person taking today's quiz, who acts again when the bot goes quiet."""

    def __init__(self, user: SimulatedUser, bot: BotProcesses, rng: random.Random) -> None:
        self.user, self.bot, self.rng = user, bot, rng
        self.ledger: list[Acknowledged] = []
        self.retries = 0
        self.acted_in = 0  # how many kills there had been when the latest action was sent

    async def take_daily_quiz(self) -> None:
        """Answer every question of today's quiz, until the bot says it is done."""
        current: BotMessage | None = None
        while True:
            if current is None:
                current = await self._where_am_i()
            if current is None:
                continue
            if _is_done(current):
                return
            current = await self._answer(current)

    async def _where_am_i(self) -> BotMessage | None:
        """/quiz: the current question, or the quiz's end; None when the bot died before answering."""
        sent: dict = {}

        async def act() -> None:
            sent.update(await self.user.send("/quiz"))

        return await self._exchange(act, lambda: self._latest_after(sent.get("message_id", 1 << 60)))

    async def _answer(self, message: BotMessage) -> BotMessage | None:
        question = question_in(message, "en")
        right = self.rng.random() < 0.6
        if question.type is QuestionType.TYPED:
            return await self._type(message, question, right)
        return await self._tap(message, question, right)

    async def _tap(self, message: BotMessage, question: Question, right: bool) -> BotMessage | None:
        labels = [b.text for b in message.flat_buttons]
        target = right_label(question, "en")
        label = target if right else next(label for label in labels if label != target)
        said: CallbackAnswer | None = None
        while said is None:  # no popup: the bot died with the tap; tap again, as a person would
            tap: asyncio.Task[CallbackAnswer] | None = None

            async def act() -> None:
                nonlocal tap
                tap = asyncio.create_task(self.user.tap(message, label, timeout=300))
                await asyncio.sleep(0)

            said = await self._exchange(act, lambda: tap.result() if tap is not None and tap.done() else None, retry=False)
            if said is None and tap is not None:
                tap.cancel()
                self.retries += 1
        meaning = SAID.get(said.text or "")
        if meaning is None:  # not taken (the database was away, say): find the current question again
            return None
        if meaning == "already":  # the bot that took the first tap died before saying so, or sending more
            self.ledger.append(Acknowledged(question, right, "already"))
            return None
        assert (meaning == "right") == right, f"tapped {label!r} for {question.id}, the popup said {said.text!r}"
        self.ledger.append(Acknowledged(question, right, "feedback"))
        return await self._follow_up(lambda: self._latest_after(message.message_id))

    async def _type(self, message: BotMessage, question: Question, right: bool) -> BotMessage | None:
        text = right_label(question, "en") if right else "I don't know"
        sent: dict = {}

        async def act() -> None:
            sent.update(await self.user.send(text))

        feedback = await self._exchange(act, lambda: self._feedback_after(sent.get("message_id", 1 << 60)), retry=False)
        if feedback is not None:
            correct = next(v for k, v in FEEDBACK.items() if k in feedback.text)
            assert correct == right, f"typed {text!r} for {question.id}; the bot said:\n{feedback.text}"
            self.ledger.append(Acknowledged(question, right, "feedback"))
            return await self._follow_up(lambda: self._latest_after(feedback.message_id))
        # No feedback: sending the text again could answer the next question, so look where the quiz is.
        self.retries += 1
        now = await self._where_am_i()
        while now is None:
            now = await self._where_am_i()
        if _is_done(now) or _position(now) > _position(message):
            self.ledger.append(Acknowledged(question, right, "moved on"))
        return now

    async def _exchange(self, act: Callable[[], Awaitable[None]], answer: Callable[[], T | None], *, retry: bool = True) -> T | None:
        """Act and wait for the answer; if the bot is killed meanwhile and nothing came once a new bot
        has settled, act again (or, with retry=False, return None)."""
        while True:
            await self.bot.settled.wait()
            self.acted_in = self.bot.generation
            await act()
            got = await self._follow_up(answer)
            if got is not None or not retry:
                return got

    async def _follow_up(self, answer: Callable[[], T | None]) -> T | None:
        """Wait for more of what the latest action brings; None if the bot was killed since that action
        and, once a new bot has settled, it had not come."""
        deadline = asyncio.get_running_loop().time() + 20
        while (got := answer()) is None:
            if self.bot.generation != self.acted_in:  # killed since the action, perhaps half-way through it
                await _settled(self.bot)
                return answer()
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no answer within 20 s with the bot up; transcript:\n{self.user.transcript()}")
            await self.bot.emulator.wait_change(timeout=0.25)
        return got

    def _latest_after(self, message_id: int) -> BotMessage | None:
        """The bot's newest question or end-of-quiz message after `message_id`."""
        found = [m for m in self.user.messages if m.message_id > message_id and (_is_question(m) or _is_done(m))]
        return found[-1] if found else None

    def _feedback_after(self, message_id: int) -> BotMessage | None:
        return next((m for m in self.user.messages if m.message_id > message_id and _is_feedback(m)), None)


async def _settled(bot: BotProcesses) -> None:
    """Wait until a bot is up and everything under way was handled or lost, with no kill in between."""
    while True:
        generation = bot.generation
        await bot.settled.wait()
        if bot.generation == generation:
            return
        await asyncio.sleep(0)


def _is_feedback(message: BotMessage) -> bool:
    return any(said in message.text for said in FEEDBACK)


def _is_question(message: BotMessage) -> bool:
    return bool(HEADER.search(message.text)) and not _is_feedback(message)


def _is_done(message: BotMessage) -> bool:
    return any(b.callback_data == "do:practice" for b in message.flat_buttons)


def _position(message: BotMessage) -> int:
    found = HEADER.search(message.text)
    assert found is not None, message.describe()
    return int(found.group(1))


async def _kill_at_random(bot: BotProcesses, rng: random.Random, finished: asyncio.Event) -> None:
    for _ in range(KILLS):
        await asyncio.sleep(rng.uniform(0.02, 0.3))
        await bot.kill_and_restart()
    finished.set()


async def _learners(emulator: BotApiEmulator, bot: BotProcesses, rng: random.Random, finished: asyncio.Event) -> list[Learner]:
    """Learners taking their quizzes, LEARNERS_AT_ONCE at a time, a new one as one finishes, until the kills end."""
    everyone: list[Learner] = []

    async def one_after_another(first_id: int) -> None:
        user_id = first_id
        while not finished.is_set():
            learner = Learner(emulator.user(user_id, f"Learner {user_id}", language_code="en"), bot, random.Random(rng.random()))
            everyone.append(learner)
            await learner.take_daily_quiz()
            user_id += LEARNERS_AT_ONCE

    await asyncio.gather(*(one_after_another(5001 + n) for n in range(LEARNERS_AT_ONCE)))
    return everyone


async def _stored_answers(database: Database, user_id: int) -> list[tuple[str, bool, datetime]]:
    async with database.transaction() as repo:
        rows = await repo.session.execute(
            select(QuizItem.question_id, QuizItem.correct, QuizItem.answered_at)
            .join(Quiz, Quiz.id == QuizItem.quiz_id)
            .where(Quiz.user_id == user_id, QuizItem.answered_at.is_not(None))
            .order_by(QuizItem.answered_at, QuizItem.id)
        )
        return [(qid, bool(correct), at) for qid, correct, at in rows.all()]


async def _check_against_replay(database: Database, user_id: int, ledger: list[Acknowledged]) -> None:
    """The database holds the user's acknowledged answers exactly once, and its state is their replay."""
    stored = await _stored_answers(database, user_id)
    assert [(qid, correct) for qid, correct, _ in stored] == [(a.question.id, a.correct) for a in ledger], (
        f"user {user_id}: the database and the acknowledged answers differ"
    )
    replayed: dict[str, CardState] = {}
    ratings = []
    for qid, correct, at in stored:
        replayed[qid], rating = review(replayed.get(qid) or new_card(at), correct=correct, now=at, duration_ms=None)
        ratings.append(rating.value)
    async with database.transaction() as repo:
        cards = {c.question_id: c for c in (await repo.session.scalars(select(Card).where(Card.user_id == user_id))).all()}
        logged = (await repo.session.scalars(
            select(ReviewLog.rating).where(ReviewLog.user_id == user_id).order_by(ReviewLog.reviewed_at, ReviewLog.id)
        )).all()
        answers = await repo.answers(user_id)
        days_done = await repo.daily_days_done(user_id)
    assert list(logged) == ratings
    assert set(cards) == set(replayed)
    for qid, card in replayed.items():
        row = cards[qid]
        assert (row.state, row.step, row.due, row.last_review) == (card.state.value, card.step, card.due, card.last_review)
        assert row.stability == pytest.approx(card.stability) and row.difficulty == pytest.approx(card.difficulty)
    today = datetime.now(UTC).date()
    expected = [Answer(a.question.category.value, a.correct, today) for a in ledger]
    assert accuracy(answers) == accuracy(expected)
    finished_daily = len(ledger) == QUIZ_LENGTH
    assert current_streak(days_done, today) == (1 if finished_daily else 0)


def _bot_env(emulator: BotApiEmulator, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "TELEGRAM_API_FILE_BASE_URL": emulator.base_file_url,
        "DATABASE_URL": database_url,
        "QUIZ_LENGTH": str(QUIZ_LENGTH),
        "CHAT_BURST": "20",
        "REMINDER_SWEEP_SECONDS": "0",
        "USER_UPDATES_PER_MINUTE": "0",
        "LOG_LEVEL": "DEBUG",
    }


async def test_killing_the_bot_at_random_moments_loses_no_acknowledged_answer(
    emulator: BotApiEmulator, database_url: str, tmp_path: Path
) -> None:
    env = _bot_env(emulator, database_url)
    rng = random.Random(SEED)
    log = tmp_path / "bots.log"
    finished = asyncio.Event()
    started = asyncio.get_running_loop().time()
    async with BotProcesses(emulator, env, log) as bot:
        killer = asyncio.create_task(_kill_at_random(bot, rng, finished))
        learners = await _learners(emulator, bot, rng, finished)
        await killer
        await emulator.wait_idle(quiet=0.3, timeout=10)
    elapsed = asyncio.get_running_loop().time() - started

    database = Database(create_engine(database_url))
    try:
        for learner in learners:
            await _check_against_replay(database, learner.user.id, learner.ledger)
    finally:
        await database.close()
    ledger = [a for learner in learners for a in learner.ledger]
    how = Counter(a.how for a in ledger)
    assert bot.generation == KILLS
    assert len({q.id for q in BANK}) >= QUIZ_LENGTH
    logs = log.read_text(errors="replace")
    assert emulator.token not in logs and emulator.token.split(":")[1] not in logs
    print(
        f"\ncrash safety: {bot.generation} SIGKILLs survived in {elapsed:.1f} s; {len(learners)} learners, "
        f"{len(ledger)} acknowledged answers ({how['feedback']} by feedback, {how['already']} by 'already answered', "
        f"{how['moved on']} by the quiz moving on), {sum(l.retries for l in learners)} retries; "
        "database = replay for every learner"
    )


async def test_an_answer_recorded_by_a_bot_killed_before_it_could_say_so_is_acknowledged_after_the_restart(
    emulator: BotApiEmulator, database_url: str, tmp_path: Path
) -> None:
    """The worst moment, on purpose: the answer is committed, and the bot dies while Telegram refuses its reply."""
    alice = emulator.user(6001, "Alice", language_code="en")
    ledger: list[Acknowledged] = []
    async with BotProcesses(emulator, _bot_env(emulator, database_url), tmp_path / "bots.log") as bot:
        message = await alice.ask("/quiz")
        kinds_left = {QuestionType.TYPED, QuestionType.CHOICE}
        while kinds_left:
            question = question_in(message, "en")
            kind = QuestionType.TYPED if question.type is QuestionType.TYPED else QuestionType.CHOICE
            if kind not in kinds_left:  # answered normally
                message = await answer(alice, message, right=True, language="en")
                ledger.append(Acknowledged(question, True, "feedback"))
                continue
            kinds_left.discard(kind)
            position = _position(message)
            if kind is QuestionType.TYPED:  # the feedback is refused: no word reaches the user
                emulator.fail("sendMessage", status=500, times=100, chat_id=alice.id)
                await alice.send(right_label(question, "en"))
                await emulator.wait_for_call("sendMessage", lambda call: call.status == 500)
                await bot.kill_and_restart(meanwhile=emulator.clear_faults)
                message = await alice.ask("/quiz")  # where am I? one question further: the answer was taken
                assert _position(message) == position + 1
                ledger.append(Acknowledged(question, True, "moved on"))
            else:  # the tap's popup is refused: the button keeps spinning
                emulator.fail("answerCallbackQuery", status=500, times=100)
                label = right_label(question, "en")
                first = asyncio.create_task(alice.tap(message, label, timeout=60))
                await emulator.wait_for_call("answerCallbackQuery", lambda call: call.status == 500)
                await bot.kill_and_restart(meanwhile=emulator.clear_faults)
                first.cancel()
                assert (await alice.tap(message, label)).text == t("en", "notice_already_answered")
                ledger.append(Acknowledged(question, True, "already"))
                message = await alice.ask("/quiz")
                assert _position(message) == position + 1
    database = Database(create_engine(database_url))
    try:
        await _check_against_replay(database, alice.id, ledger)
    finally:
        await database.close()
