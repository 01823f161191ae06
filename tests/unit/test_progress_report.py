"""The progress page's numbers: recent accuracy, daily scores, mastery, reviews coming up, mistakes."""

from datetime import UTC, date, datetime, timedelta

import pytest

from learning.progress import (
    AnsweredItem,
    DayScore,
    daily_scores,
    due_within,
    mastery,
    most_missed,
    progress_report,
    recent_accuracy,
)
from learning.scheduling import new_card, retrievability, review
from learning.stats import Answer

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


def answered_right(at: datetime):  # type: ignore[no-untyped-def]
    card, _ = review(new_card(at), correct=True, now=at, duration_ms=None)
    return card


def test_recent_accuracy_counts_the_last_seven_days_today_included() -> None:
    answers = [
        Answer("dates", True, TODAY),
        Answer("dates", False, TODAY - timedelta(days=6)),
        Answer("places", True, TODAY - timedelta(days=7)),  # eight days ago: too old
    ]
    recent = recent_accuracy(answers, TODAY)
    assert (recent.correct, recent.answered) == (1, 2)


def test_daily_scores_cover_every_day_oldest_first_with_empty_days() -> None:
    answers = [Answer("dates", True, TODAY), Answer("dates", False, TODAY), Answer("places", True, TODAY - timedelta(days=2))]
    scores = daily_scores(answers, TODAY, days=4)
    assert scores == [
        DayScore(TODAY - timedelta(days=3)),
        DayScore(TODAY - timedelta(days=2), 1, 1),
        DayScore(TODAY - timedelta(days=1)),
        DayScore(TODAY, 1, 2),
    ]


def test_a_question_answered_right_today_is_mastered_and_fades_below_ninety_percent_later() -> None:
    card = answered_right(NOW)
    assert mastery([card], NOW, total=4).mastered == 1
    later = card.due + timedelta(days=1)  # FSRS schedules the card when recall drops to 90%
    assert retrievability(card, later) < 0.9
    assert mastery([card], later, total=4).mastered == 0


def test_a_question_answered_wrong_is_not_mastered() -> None:
    card, _ = review(new_card(NOW), correct=False, now=NOW, duration_ms=None)
    assert mastery([card], NOW + timedelta(hours=1), total=1).ratio == 0.0


def test_mastery_without_questions_has_no_ratio() -> None:
    assert mastery([], NOW, total=0).ratio is None


def test_reviews_due_within_seven_days_include_those_due_already() -> None:
    overdue = new_card(NOW - timedelta(days=1))
    soon = answered_right(NOW)  # due in a few days
    far = new_card(NOW + timedelta(days=8))
    assert due_within([overdue, soon, far], NOW) == 2


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        due_within([], datetime(2026, 3, 10))


def test_the_report_puts_it_all_together() -> None:
    answers = [Answer("dates", True, TODAY), Answer("places", False, TODAY - timedelta(days=30))]
    report = progress_report(
        answers, [TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=5)], [answered_right(NOW)], today=TODAY, now=NOW, questions=10
    )
    assert (report.overall.correct, report.overall.answered) == (1, 2)
    assert (report.recent.correct, report.recent.answered) == (1, 1)
    assert set(report.by_category) == {"dates", "places"}
    assert (report.streak, report.best_streak) == (2, 2)
    assert (report.mastery.mastered, report.mastery.total) == (1, 10)
    assert report.due_soon == 1


def test_mistakes_rank_the_most_missed_first_then_the_latest() -> None:
    def item(qid: str, correct: bool, minutes: int) -> AnsweredItem:
        return AnsweredItem(qid, correct, NOW + timedelta(minutes=minutes))

    answers = [
        item("q1", False, 1), item("q1", False, 2), item("q1", True, 3),
        item("q2", False, 4),
        item("q3", False, 5),
        item("q4", True, 6),
    ]
    ranked = most_missed(answers, limit=5)
    assert [(m.question_id, m.wrong, m.answered) for m in ranked] == [("q1", 2, 3), ("q3", 1, 1), ("q2", 1, 1)]
    assert ranked[0].last_wrong == NOW + timedelta(minutes=2)
    assert [m.question_id for m in most_missed(answers, limit=1)] == ["q1"]
