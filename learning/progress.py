"""The progress page's numbers beyond the basic stats: recent accuracy, daily scores, mastery,
reviews coming up, and the questions a user gets wrong most."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fsrs import State

from learning.scheduling import CardState, as_utc, retrievability
from learning.stats import Accuracy, Answer, accuracy, best_streak, current_streak

MASTERED_AT = 0.9  # retrievability from which a question counts as mastered
RECENT_DAYS = 7
CHART_DAYS = 30


@dataclass(frozen=True)
class Mastery:
    """How many questions the user would recall now with at least MASTERED_AT probability."""

    mastered: int
    total: int

    @property
    def ratio(self) -> float | None:
        """The mastered share, or None when there are no questions."""
        return self.mastered / self.total if self.total else None


@dataclass(frozen=True)
class DayScore:
    """Right answers out of answers on one day."""

    day: date
    correct: int = 0
    answered: int = 0


@dataclass(frozen=True)
class ProgressReport:
    """Everything the progress page shows about a user's learning."""

    overall: Accuracy
    recent: Accuracy
    by_category: dict[str, Accuracy]
    streak: int
    best_streak: int
    mastery: Mastery
    due_soon: int


@dataclass(frozen=True)
class AnsweredItem:
    """One answer, as the mistake ranking needs it."""

    question_id: str
    correct: bool
    answered_at: datetime


@dataclass(frozen=True)
class Mistake:
    """A question the user got wrong, how often, and when last."""

    question_id: str
    wrong: int
    answered: int
    last_wrong: datetime


def recent_accuracy(answers: Iterable[Answer], today: date, days: int = RECENT_DAYS) -> Accuracy:
    """Accuracy over the last `days` days, today included."""
    since = today - timedelta(days=days - 1)
    overall, _ = accuracy(a for a in answers if since <= a.day <= today)
    return overall


def daily_scores(answers: Iterable[Answer], today: date, days: int = CHART_DAYS) -> list[DayScore]:
    """One score per day for the last `days` days, oldest first, days without answers included."""
    first = today - timedelta(days=days - 1)
    totals = {first + timedelta(days=i): [0, 0] for i in range(days)}
    for answer in answers:
        if answer.day in totals:
            totals[answer.day][0] += int(answer.correct)
            totals[answer.day][1] += 1
    return [DayScore(day, correct, answered) for day, (correct, answered) in totals.items()]


def mastery(cards: Iterable[CardState], now: datetime, total: int) -> Mastery:
    """How many of `total` questions have a card whose retrievability at `now` is at least MASTERED_AT.

    Only cards in the Review state count: fsrs measures elapsed time in whole days, so a card
    answered wrong an hour ago still shows a retrievability of 1 while it is being relearned.

    Args:
        cards: The user's cards for the questions that count (retired ones left out).
        now: The time to predict recall for, timezone-aware.
        total: How many questions there are to master.

    Returns:
        The mastered count out of `total`.

    Raises:
        ValueError: If `now` is naive.
    """
    return Mastery(
        sum(1 for card in cards if card.state is State.Review and retrievability(card, now) >= MASTERED_AT), total
    )


def due_within(cards: Iterable[CardState], now: datetime, days: int = RECENT_DAYS) -> int:
    """How many cards are due by `days` days from `now`, those already due included."""
    horizon = as_utc(now) + timedelta(days=days)
    return sum(1 for card in cards if card.due <= horizon)


def progress_report(
    answers: Iterable[Answer],
    days_done: Iterable[date],
    cards: Iterable[CardState],
    *,
    today: date,
    now: datetime,
    questions: int,
) -> ProgressReport:
    """The progress page's numbers.

    Args:
        answers: Every answer the user gave.
        days_done: The days whose daily quiz the user finished.
        cards: The user's cards for the questions still asked.
        today: The user's local day.
        now: The current time, timezone-aware.
        questions: How many questions are still asked, for the mastery share.

    Returns:
        Accuracy all-time, recent and per category, streaks, mastery and reviews due soon.

    Raises:
        ValueError: If `now` is naive.
    """
    answers, days, cards = list(answers), set(days_done), list(cards)
    overall, by_category = accuracy(answers)
    return ProgressReport(
        overall=overall,
        recent=recent_accuracy(answers, today),
        by_category=by_category,
        streak=current_streak(days, today),
        best_streak=best_streak(days),
        mastery=mastery(cards, now, questions),
        due_soon=due_within(cards, now),
    )


def most_missed(answers: Iterable[AnsweredItem], limit: int) -> list[Mistake]:
    """The questions answered wrong most often, then most recently; questions never missed are left out."""
    wrong: dict[str, int] = {}
    answered: dict[str, int] = {}
    last_wrong: dict[str, datetime] = {}
    for item in answers:
        answered[item.question_id] = answered.get(item.question_id, 0) + 1
        if not item.correct:
            wrong[item.question_id] = wrong.get(item.question_id, 0) + 1
            last_wrong[item.question_id] = max(item.answered_at, last_wrong.get(item.question_id, item.answered_at))
    ranked = sorted(wrong, key=lambda qid: (wrong[qid], last_wrong[qid]), reverse=True)
    return [Mistake(qid, wrong[qid], answered[qid], last_wrong[qid]) for qid in ranked[:limit]]

