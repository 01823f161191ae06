"""The quiz flow: what happens when a user starts a quiz, answers, or asks for their score.

Coordinates the database and the learning core; knows nothing of Telegram, so handlers stay thin.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from db.models import Quiz, QuizItem, User
from db.repository import Database, Profile, Repository
from learning.normalize import answers_match
from learning.quiz import QuizKind, compose_quiz, count_correct, is_correct_choice
from learning.stats import Progress, progress
from questions.schema import Question, QuestionType

Clock = Callable[[], datetime]


class QuestionBank:
    """The questions the database holds, kept in memory: they are content, not user state."""

    def __init__(self, questions: dict[str, tuple[Question, bool]]) -> None:
        self._all = {qid: q for qid, (q, _retired) in questions.items()}
        self.active = [q for q, retired in questions.values() if not retired]

    def __getitem__(self, question_id: str) -> Question:
        return self._all[question_id]

    def __len__(self) -> int:
        return len(self.active)


@dataclass(frozen=True)
class AskedQuestion:
    """A question to show, with where it stands in its quiz."""

    quiz_id: int
    kind: str
    position: int
    total: int
    question: Question
    option_order: tuple[int, ...]


@dataclass(frozen=True)
class QuizResult:
    """A finished quiz's score."""

    quiz_id: int
    kind: str
    correct: int
    answered: int
    total: int


@dataclass(frozen=True)
class DailyDone:
    """Today's daily quiz is already finished."""

    result: QuizResult


class AnswerStatus(StrEnum):
    """What became of an answer."""

    RECORDED = "recorded"
    ALREADY_ANSWERED = "already_answered"
    STALE = "stale"  # a button of an earlier question or a finished quiz
    INVALID = "invalid"  # not a quiz, question or option this user was shown


@dataclass(frozen=True)
class AnswerOutcome:
    """The result of an answer, and what comes next."""

    status: AnswerStatus
    question: Question | None = None
    correct: bool | None = None
    response: str | None = None
    position: int = 0
    total: int = 0
    next: AskedQuestion | QuizResult | None = None


@dataclass(frozen=True)
class Score:
    """What /score shows."""

    today: QuizResult | None
    today_finished: bool
    progress: Progress


def local_day(now: datetime, timezone: str) -> date:
    """The user's calendar day at `now`."""
    return now.astimezone(ZoneInfo(timezone)).date()


class QuizService:
    """Daily quizzes, practice rounds, answers and scores, for one bot."""

    def __init__(
        self,
        db: Database,
        bank: QuestionBank,
        *,
        quiz_length: int,
        clock: Clock,
        rng: Callable[[], random.Random] = random.Random,
    ) -> None:
        self.db, self.bank, self.quiz_length, self.clock, self.rng = db, bank, quiz_length, clock, rng

    async def greet(self, profile: Profile) -> User:
        """Record the user's contact and return them (their language is `.language`)."""
        async with self.db.transaction() as repo:
            return await repo.touch_user(profile, self.clock())

    async def start_daily(self, profile: Profile) -> tuple[str, AskedQuestion | DailyDone]:
        """The user's language, and today's quiz: its next question (created on the day's first call) or its result."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            day = local_day(now, user.timezone)
            quiz = await repo.daily_quiz(user.id, day)
            if quiz is None:
                quiz = await self._create(repo, user.id, QuizKind.DAILY, day, now)
            items = await repo.items(quiz.id)
            if quiz.finished_at is not None:
                return user.language, DailyDone(self._result(quiz, items))
            asked = await self._ask_current(repo, quiz, items, now)
            return user.language, DailyDone(asked) if isinstance(asked, QuizResult) else asked

    async def start_practice(self, profile: Profile) -> tuple[str, AskedQuestion]:
        """The user's language, and a new practice round favouring the questions they have seen least."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            quiz = await self._create(repo, user.id, QuizKind.PRACTICE, local_day(now, user.timezone), now)
            asked = await self._ask_current(repo, quiz, await repo.items(quiz.id), now)
            assert isinstance(asked, AskedQuestion)
            return user.language, asked

    async def answer_button(
        self, profile: Profile, quiz_id: int, position: int, shown: int
    ) -> tuple[str, AnswerOutcome, str]:
        """The user tapped option `shown` of question `position` in quiz `quiz_id`.

        Returns the user's language, the outcome, and the kind of quiz it belongs to.
        """
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            quiz = await repo.quiz(quiz_id)
            if quiz is None or quiz.user_id != user.id:
                return user.language, AnswerOutcome(AnswerStatus.INVALID), ""
            items = await repo.items(quiz.id)
            if not 0 <= position < len(items):
                return user.language, AnswerOutcome(AnswerStatus.INVALID), quiz.kind
            item = items[position]
            question = self.bank[item.question_id]
            if question.type is QuestionType.TYPED or not 0 <= shown < len(item.option_order):
                return user.language, AnswerOutcome(AnswerStatus.INVALID), quiz.kind
            correct = is_correct_choice(question, item.option_order, shown)
            return user.language, await self._record(repo, quiz, items, item, str(shown), correct, now), quiz.kind

    async def answer_text(self, profile: Profile, text: str) -> tuple[str, AnswerOutcome | None, str]:
        """A text message: the user's language, the answer to their pending typed question (None when
        there is none), and the kind of quiz it belongs to."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            quiz = await repo.latest_open_quiz(user.id)
            if quiz is None:
                return user.language, None, ""
            items = await repo.items(quiz.id)
            item = _current(items)
            if item is None or item.asked_at is None or self.bank[item.question_id].type is not QuestionType.TYPED:
                return user.language, None, quiz.kind
            correct = answers_match(self.bank[item.question_id], text)
            return user.language, await self._record(repo, quiz, items, item, text, correct, now), quiz.kind

    async def score(self, profile: Profile) -> tuple[str, Score]:
        """The user's language, and today's result, all-time accuracy, accuracy per category and streak."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            today = local_day(now, user.timezone)
            quiz = await repo.daily_quiz(user.id, today)
            result = self._result(quiz, await repo.items(quiz.id)) if quiz else None
            answers = await repo.answers(user.id)
            days = await repo.daily_days_done(user.id)
        finished = quiz is not None and quiz.finished_at is not None
        return user.language, Score(result, finished, progress(answers, days, today))

    async def _create(self, repo: Repository, user_id: int, kind: QuizKind, day: date, now: datetime) -> Quiz:
        planned = compose_quiz(
            self.bank.active, size=self.quiz_length, rng=self.rng(), times_seen=await repo.times_seen(user_id)
        )
        return await repo.create_quiz(user_id, kind.value, day, planned, now)

    async def _ask_current(
        self, repo: Repository, quiz: Quiz, items: list[QuizItem], now: datetime
    ) -> AskedQuestion | QuizResult:
        item = _current(items)
        if item is None:
            await repo.finish_quiz(quiz.id, now)
            return self._result(quiz, items)
        await repo.mark_asked(item.id, now)
        item.asked_at = item.asked_at or now
        return AskedQuestion(
            quiz.id, quiz.kind, item.position, len(items), self.bank[item.question_id], tuple(item.option_order)
        )

    async def _record(
        self,
        repo: Repository,
        quiz: Quiz,
        items: list[QuizItem],
        item: QuizItem,
        response: str,
        correct: bool,
        now: datetime,
    ) -> AnswerOutcome:
        question = self.bank[item.question_id]
        if item.answered_at is not None:
            return AnswerOutcome(AnswerStatus.ALREADY_ANSWERED, question)
        if item is not _current(items):
            return AnswerOutcome(AnswerStatus.STALE, question)
        if not await repo.record_answer(item.id, response, correct, now):
            return AnswerOutcome(AnswerStatus.ALREADY_ANSWERED, question)  # a concurrent tap won
        item.answered_at, item.correct, item.response = now, correct, response
        next_step = await self._ask_current(repo, quiz, items, now)
        return AnswerOutcome(
            AnswerStatus.RECORDED, question, correct, response, item.position, len(items), next_step
        )

    @staticmethod
    def _result(quiz: Quiz, items: list[QuizItem]) -> QuizResult:
        answered = sum(1 for i in items if i.answered_at is not None)
        return QuizResult(quiz.id, quiz.kind, count_correct(i.correct for i in items), answered, len(items))


def _current(items: list[QuizItem]) -> QuizItem | None:
    """The first unanswered item: the question the user is on."""
    return next((item for item in items if item.answered_at is None), None)
