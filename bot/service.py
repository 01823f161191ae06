"""The quiz flow: what happens when a user starts a quiz, answers, or asks for their score.

Coordinates the database and the learning core; knows nothing of Telegram, so handlers stay thin.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum

from db.models import Quiz, QuizItem, User
from db.repository import Database, Profile, Repository
from learning.normalize import answers_match
from learning.quiz import PlannedItem, QuizKind, compose_quiz, count_correct, is_correct_choice
from learning.reminders import local_day, tzinfo_for
from learning.scheduling import review
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


@dataclass(frozen=True)
class NothingDue:
    """No review is due and no new question is left (or today's review limit is reached)."""

    limit_reached: bool = False


class AnswerStatus(StrEnum):
    """What became of an answer."""

    RECORDED = "recorded"
    ALREADY_ANSWERED = "already_answered"
    STALE = "stale"  # a button of an earlier question or a finished quiz
    INVALID = "invalid"  # not a quiz, question or option this user was shown
    USE_BUTTONS = "use_buttons"  # text sent while the question shown takes a tap


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


class QuizService:
    """Daily quizzes, practice rounds, answers and scores, for one bot."""

    def __init__(
        self,
        db: Database,
        bank: QuestionBank,
        *,
        quiz_length: int,
        reviews_per_day: int,
        clock: Clock,
        rng: Callable[[], random.Random] = random.Random,
    ) -> None:
        self.db, self.bank, self.clock, self.rng = db, bank, clock, rng
        self.quiz_length, self.reviews_per_day = quiz_length, reviews_per_day

    async def greet(self, profile: Profile) -> User:
        """Record the user's contact and return them (their language is `.language`)."""
        async with self.db.transaction() as repo:
            return await repo.touch_user(profile, self.clock())

    async def start_daily(self, profile: Profile) -> tuple[str, AskedQuestion | DailyDone | NothingDue]:
        """The user's language, and today's quiz: its next question or its result.

        The quiz is made on the day's first call: reviews that are due, most overdue first, then
        questions the user has never seen. With neither, there is no quiz today (NothingDue).
        """
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            day = await self._today(repo, user, now)
            quiz = await repo.daily_quiz(user.id, day)
            if quiz is None:
                due = await repo.due_question_ids(user.id, now, self.quiz_length)
                carded = await repo.carded_question_ids(user.id)
                fresh = [q for q in self.bank.active if q.id not in carded]
                if not due and not fresh:
                    return user.language, NothingDue()
                planned = compose_quiz(
                    [q for q in self.bank.active if q.id in due] + fresh,
                    size=self.quiz_length,
                    rng=self.rng(),
                    first=due,
                )
                quiz = await repo.create_quiz(user.id, QuizKind.DAILY.value, day, planned, now)
            items = await repo.items(quiz.id)
            if quiz.finished_at is not None:
                return user.language, DailyDone(self._result(quiz, items))
            asked = await self._ask_current(repo, quiz, items, now)
            return user.language, DailyDone(asked) if isinstance(asked, QuizResult) else asked

    async def start_practice(self, profile: Profile, first: Sequence[str] = ()) -> tuple[str, AskedQuestion]:
        """The user's language, and a new practice round: the questions in `first` (such as the ones
        they miss most), then those they have seen least."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            planned = compose_quiz(
                self.bank.active,
                size=self.quiz_length,
                rng=self.rng(),
                first=first,
                times_seen=await repo.times_seen(user.id),
            )
            return user.language, await self._start(repo, user, QuizKind.PRACTICE, planned, now)

    async def start_review(self, profile: Profile) -> tuple[str, AskedQuestion | NothingDue]:
        """The user's language, and a review round of the cards due now, within the daily review limit."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            zone = tzinfo_for(user.timezone)
            midnight = datetime.combine(local_day(now, user.timezone), time(0), tzinfo=zone).astimezone(UTC)
            room = self.reviews_per_day - await repo.reviews_since(user.id, midnight)
            due = await repo.due_question_ids(user.id, now, min(self.quiz_length, max(room, 0)))
            if not due:
                return user.language, NothingDue(limit_reached=room <= 0)
            planned = compose_quiz(
                [q for q in self.bank.active if q.id in due], size=len(due), rng=self.rng(), first=due
            )
            return user.language, await self._start(repo, user, QuizKind.REVIEW, planned, now)

    async def answer_button(
        self, profile: Profile, quiz_id: int, position: int, shown: int
    ) -> tuple[str, AnswerOutcome, str]:
        """The user tapped option `shown` of question `position` in quiz `quiz_id`.

        Returns the user's language, the outcome, and the kind of quiz it belongs to.
        """
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            quiz, items = await repo.quiz_and_items(quiz_id)
            if quiz is None or quiz.user_id != user.id:
                return user.language, AnswerOutcome(AnswerStatus.INVALID), ""
            if not 0 <= position < len(items):
                return user.language, AnswerOutcome(AnswerStatus.INVALID), quiz.kind
            item = items[position]
            question = self.bank[item.question_id]
            if question.type is QuestionType.TYPED or not 0 <= shown < len(item.option_order):
                return user.language, AnswerOutcome(AnswerStatus.INVALID), quiz.kind
            if await self._past_daily(repo, quiz, user, now):
                return user.language, AnswerOutcome(AnswerStatus.STALE, question), quiz.kind
            correct = is_correct_choice(question, item.option_order, shown)
            return user.language, await self._record(repo, quiz, items, item, str(shown), correct, now), quiz.kind

    async def answer_text(self, profile: Profile, text: str) -> tuple[str, AnswerOutcome | None, str]:
        """A text message: the user's language, the answer to their pending typed question (None when
        there is none), and the kind of quiz it belongs to."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            shown = await repo.last_shown_question(user.id)
            quiz, items = await repo.quiz_and_items(shown.quiz_id) if shown else (None, [])
            if shown is None or quiz is None or await self._past_daily(repo, quiz, user, now):
                return user.language, None, ""
            item = _current(items)
            if item is None or item.id != shown.id:
                return user.language, None, quiz.kind
            if self.bank[item.question_id].type is not QuestionType.TYPED:
                return user.language, AnswerOutcome(AnswerStatus.USE_BUTTONS, self.bank[item.question_id]), quiz.kind
            correct = answers_match(self.bank[item.question_id], text)
            return user.language, await self._record(repo, quiz, items, item, text, correct, now), quiz.kind

    async def _start(
        self, repo: Repository, user: User, kind: QuizKind, planned: list[PlannedItem], now: datetime
    ) -> AskedQuestion:
        quiz = await repo.create_quiz(user.id, kind.value, local_day(now, user.timezone), planned, now)
        asked = await self._ask_current(repo, quiz, await repo.items(quiz.id), now)
        assert isinstance(asked, AskedQuestion)
        return asked

    async def _ask_current(
        self, repo: Repository, quiz: Quiz, items: list[QuizItem], now: datetime
    ) -> AskedQuestion | QuizResult:
        item = _current(items)
        if item is None:
            await repo.finish_quiz(quiz.id, now)
            return self._result(quiz, items)
        await repo.mark_asked(item.id, now)
        repo.written(item, asked_at=now)
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
        repo.written(item, answered_at=now, correct=correct, response=response[:512])
        duration_ms = int((now - item.asked_at).total_seconds() * 1000) if item.asked_at else None
        card = await repo.card_state(quiz.user_id, question.id, now)
        card, rating = review(card, correct=correct, now=now, duration_ms=duration_ms)
        await repo.save_review(quiz.user_id, question.id, card, rating, now, duration_ms)
        next_step = await self._ask_current(repo, quiz, items, now)
        return AnswerOutcome(
            AnswerStatus.RECORDED, question, correct, response, item.position, len(items), next_step
        )

    @staticmethod
    async def _today(repo: Repository, user: User, now: datetime) -> date:
        """The user's day: their local date, never earlier than their latest daily quiz's day.

        A time zone moved west must not reopen a day that is over (and with it, that day's streak).
        """
        local = local_day(now, user.timezone)
        latest = await repo.latest_daily_day(user.id)
        return max(local, latest) if latest else local

    async def _past_daily(self, repo: Repository, quiz: Quiz, user: User, now: datetime) -> bool:
        """An earlier day's daily quiz: closed, so a late answer can't rewrite that day or its streak."""
        return quiz.kind == QuizKind.DAILY and quiz.day != await self._today(repo, user, now)

    @staticmethod
    def _result(quiz: Quiz, items: list[QuizItem]) -> QuizResult:
        answered = sum(1 for i in items if i.answered_at is not None)
        return QuizResult(quiz.id, quiz.kind, count_correct(i.correct for i in items), answered, len(items))


def _current(items: list[QuizItem]) -> QuizItem | None:
    """The first unanswered item: the question the user is on."""
    return next((item for item in items if item.answered_at is None), None)
