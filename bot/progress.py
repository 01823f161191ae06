"""The progress flow: the score page, chart data, past quizzes, mistakes, language, export, forgetting.

Coordinates the database and the learning core; knows nothing of Telegram, so handlers stay thin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from bot.i18n import LANGUAGES
from bot.service import Clock, QuestionBank
from db import progress as queries
from db.progress import ItemRecord, QuizSummary
from db.repository import Database, Profile
from learning.progress import DayScore, ProgressReport, daily_scores, most_missed, progress_report
from learning.reminders import local_day
from learning.stats import Accuracy, accuracy
from questions.schema import Question

HISTORY_LENGTH = 10
MISTAKES_SHOWN = 5


@dataclass(frozen=True)
class ProgressPage:
    """What /score shows."""

    today: QuizSummary | None
    report: ProgressReport


@dataclass(frozen=True)
class ChartData:
    """What the progress chart draws."""

    days: list[DayScore]
    by_category: dict[str, Accuracy]


@dataclass(frozen=True)
class ReviewedQuestion:
    """A question of a past quiz, with the user's answer."""

    question: Question
    record: ItemRecord


@dataclass(frozen=True)
class PastQuiz:
    """A past quiz, question by question."""

    summary: QuizSummary
    questions: list[ReviewedQuestion]


@dataclass(frozen=True)
class MissedQuestion:
    """A question the user often gets wrong."""

    question: Question
    wrong: int
    answered: int


class ProgressService:
    """Scores, charts, history and the user's own data, for one bot."""

    def __init__(self, db: Database, bank: QuestionBank, *, clock: Clock) -> None:
        self.db, self.bank, self.clock = db, bank, clock

    async def page(self, profile: Profile) -> tuple[str, ProgressPage]:
        """The user's language, and today's quiz, accuracy, streaks, mastery and reviews coming up."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            today = local_day(now, user.timezone)
            summary = await queries.daily_summary(repo.session, user.id, today)
            answers = await repo.answers(user.id)
            days = await repo.daily_days_done(user.id)
            cards = await queries.card_states(repo.session, user.id)
        asked = [cards[q.id] for q in self.bank.active if q.id in cards]
        report = progress_report(answers, days, asked, today=today, now=now, questions=len(self.bank))
        return user.language, ProgressPage(summary, report)

    async def chart(self, profile: Profile) -> tuple[str, ChartData]:
        """The user's language, and their daily scores over the last 30 days and accuracy per category."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            answers = await repo.answers(user.id)
        _, by_category = accuracy(answers)
        return user.language, ChartData(daily_scores(answers, local_day(now, user.timezone)), by_category)

    async def history(self, profile: Profile) -> tuple[str, list[QuizSummary]]:
        """The user's language, and their latest quizzes with at least one answer, newest first."""
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, self.clock())
            return user.language, await queries.recent_quizzes(repo.session, user.id, HISTORY_LENGTH)

    async def past_quiz(self, profile: Profile, quiz_id: int) -> tuple[str, PastQuiz | None]:
        """The user's language, and one of their quizzes question by question; None if it isn't theirs."""
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, self.clock())
            found = await queries.quiz_record(repo.session, user.id, quiz_id)
        if found is None:
            return user.language, None
        summary, records = found
        return user.language, PastQuiz(summary, [ReviewedQuestion(self.bank[r.question_id], r) for r in records])

    async def mistakes(self, profile: Profile) -> tuple[str, list[MissedQuestion]]:
        """The user's language, and the questions still asked that they got wrong most."""
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, self.clock())
            answers = await queries.answered_items(repo.session, user.id)
        active = {q.id for q in self.bank.active}
        ranked = most_missed((a for a in answers if a.question_id in active), MISTAKES_SHOWN)
        return user.language, [MissedQuestion(self.bank[m.question_id], m.wrong, m.answered) for m in ranked]

    async def choose_language(self, profile: Profile, language: str) -> str:
        """Switch the user to `language` for good; returns the language now in use."""
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, self.clock())
            if language not in LANGUAGES:
                return user.language
            await queries.choose_language(repo.session, user.id, language)
        return language

    async def export(self, profile: Profile) -> tuple[str, bytes]:
        """The user's language, and everything the bot holds about them as UTF-8 JSON."""
        now = self.clock()
        async with self.db.transaction() as repo:
            user = await repo.touch_user(profile, now)
            data = await queries.export_user(repo.session, user.id)
        document = {"exported_at": now.isoformat(), **data}
        return user.language, json.dumps(document, ensure_ascii=False, indent=2).encode()

    async def forget(self, profile: Profile) -> str:
        """Delete everything the bot holds about the user; returns the language they had."""
        async with self.db.transaction() as repo:
            user = await repo.user(profile.user_id)
            language = user.language if user else profile.language
            await queries.forget_user(repo.session, profile.user_id)
        return language
