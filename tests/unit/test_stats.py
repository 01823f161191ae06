"""Streaks and accuracy from answers."""

from datetime import date

from learning.stats import Answer, accuracy, best_streak, current_streak

MARCH = [date(2026, 3, d) for d in range(1, 32)]


def test_a_streak_counts_consecutive_days_up_to_today() -> None:
    assert current_streak([MARCH[7], MARCH[8], MARCH[9]], today=MARCH[9]) == 3


def test_a_streak_survives_until_today_is_over() -> None:
    assert current_streak([MARCH[7], MARCH[8]], today=MARCH[9]) == 2


def test_a_missed_day_breaks_the_streak() -> None:
    assert current_streak([MARCH[5], MARCH[7], MARCH[8]], today=MARCH[9]) == 2
    assert current_streak([MARCH[5], MARCH[6]], today=MARCH[9]) == 0


def test_the_best_streak_is_the_longest_run() -> None:
    assert best_streak([MARCH[1], MARCH[2], MARCH[3], MARCH[10], MARCH[11]]) == 3
    assert best_streak([]) == 0


def test_accuracy_is_counted_overall_and_per_category() -> None:
    answers = [
        Answer("dates", True, MARCH[9]),
        Answer("dates", False, MARCH[9]),
        Answer("places", True, MARCH[9]),
    ]
    overall, by_category = accuracy(answers)
    assert (overall.correct, overall.answered) == (2, 3)
    assert by_category["dates"].ratio == 0.5
    assert by_category["places"].ratio == 1.0


def test_no_answers_means_no_ratio() -> None:
    overall, by_category = accuracy([])
    assert overall.ratio is None and by_category == {}
