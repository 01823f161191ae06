"""Scores, accuracy per category and daily streaks, from the answers a user gave."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Answer:
    """One answered question, as the stats need it."""

    category: str
    correct: bool
    day: date


@dataclass(frozen=True)
class Accuracy:
    """Right answers out of answers."""

    correct: int = 0
    answered: int = 0

    @property
    def ratio(self) -> float | None:
        """The share of right answers, or None before any answer."""
        return self.correct / self.answered if self.answered else None

    def add(self, correct: bool) -> Accuracy:
        """This accuracy with one more answer."""
        return Accuracy(self.correct + int(correct), self.answered + 1)


def accuracy(answers: Iterable[Answer]) -> tuple[Accuracy, dict[str, Accuracy]]:
    """Overall accuracy and accuracy per category."""
    overall = Accuracy()
    by_category: dict[str, Accuracy] = {}
    for answer in answers:
        overall = overall.add(answer.correct)
        by_category[answer.category] = by_category.get(answer.category, Accuracy()).add(answer.correct)
    return overall, by_category


def current_streak(days_done: Iterable[date], today: date) -> int:
    """Consecutive days with the daily quiz finished, ending today (or yesterday, if today is still open)."""
    done = set(days_done)
    day = today if today in done else today - timedelta(days=1)
    streak = 0
    while day in done:
        streak += 1
        day -= timedelta(days=1)
    return streak


def best_streak(days_done: Iterable[date]) -> int:
    """The longest run of consecutive days with the daily quiz finished."""
    done = sorted(set(days_done))
    best = run = 0
    previous: date | None = None
    for day in done:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best
