"""FSRS scheduling after right and wrong answers."""

from datetime import UTC, datetime, timedelta, timezone

import fsrs.card
import pytest
from fsrs import Rating, State

from learning.scheduling import DESIRED_RETENTION, CardState, new_card, rating_for, retrievability, review

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def graduated(now: datetime = NOW) -> CardState:
    """A new card answered right once, at `now`."""
    card, _ = review(new_card(now), correct=True, now=now, duration_ms=4000)
    return card


def test_a_new_card_is_due_at_once_and_has_no_memory_yet() -> None:
    card = new_card(NOW)
    assert (card.state, card.step, card.due, card.last_review) == (State.Learning, 0, NOW, None)
    assert card.stability is None and card.difficulty is None


def test_a_right_first_answer_graduates_the_card_for_days() -> None:
    card, rating = review(new_card(NOW), correct=True, now=NOW, duration_ms=4000)
    assert rating == Rating.Good
    assert card.state == State.Review and card.step is None
    assert card.last_review == NOW
    assert card.due - NOW >= timedelta(days=2)


def test_a_wrong_first_answer_brings_the_card_back_in_ten_minutes() -> None:
    card, rating = review(new_card(NOW), correct=False, now=NOW, duration_ms=4000)
    assert rating == Rating.Again
    assert (card.state, card.step) == (State.Learning, 0)
    assert card.due == NOW + timedelta(minutes=10)


def test_right_answers_on_time_make_the_interval_grow() -> None:
    card, now, intervals = new_card(NOW), NOW, []
    for _ in range(4):
        card, _ = review(card, correct=True, now=now, duration_ms=None)
        intervals.append(card.due - now)
        now = card.due
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0] * 4


def test_forgetting_a_learned_card_sends_it_to_relearning_with_less_stability() -> None:
    learned = graduated()
    forgot, rating = review(learned, correct=False, now=learned.due, duration_ms=9000)
    assert rating == Rating.Again
    assert (forgot.state, forgot.step) == (State.Relearning, 0)
    assert forgot.due == learned.due + timedelta(minutes=10)
    assert forgot.stability is not None and learned.stability is not None
    assert forgot.stability < learned.stability


def test_relearning_ends_with_a_right_answer() -> None:
    forgot, _ = review(graduated(), correct=False, now=NOW + timedelta(days=2), duration_ms=None)
    relearned, _ = review(forgot, correct=True, now=forgot.due, duration_ms=None)
    assert relearned.state == State.Review and relearned.due - forgot.due >= timedelta(days=1)


def test_answer_time_does_not_change_the_rating() -> None:
    assert {rating_for(True, ms) for ms in (300, 5_000, 120_000, None)} == {Rating.Good}
    assert {rating_for(False, ms) for ms in (300, 5_000, 120_000, None)} == {Rating.Again}


def test_the_same_answer_at_the_same_time_schedules_the_same_way() -> None:
    learned = graduated()
    later = learned.due + timedelta(days=3)
    assert review(learned, correct=True, now=later, duration_ms=1) == review(
        learned, correct=True, now=later, duration_ms=1
    )


def test_reviewing_leaves_the_old_card_untouched() -> None:
    card = new_card(NOW)
    review(card, correct=True, now=NOW, duration_ms=None)
    assert card == new_card(NOW)


def test_any_aware_time_is_accepted_and_the_result_is_in_utc() -> None:
    baghdad_morning = NOW.astimezone(timezone(timedelta(hours=3)))
    card, _ = review(new_card(baghdad_morning), correct=False, now=baghdad_morning, duration_ms=None)
    assert card.due.tzinfo == UTC and card.due == NOW + timedelta(minutes=10)


@pytest.mark.parametrize(
    "call",
    [
        lambda: new_card(datetime(2026, 3, 10, 9, 0)),
        lambda: review(new_card(NOW), correct=True, now=datetime(2026, 3, 10, 9, 0), duration_ms=None),
        lambda: retrievability(graduated(), datetime(2026, 3, 12)),
        lambda: CardState(State.Learning, 0, None, None, datetime(2026, 3, 10), None),
        lambda: CardState(State.Review, None, 2.3, 2.1, NOW, datetime(2026, 3, 10)),
    ],
    ids=["new_card", "review", "retrievability", "due", "last_review"],
)
def test_a_naive_datetime_is_refused(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="naive"):
        call()


def test_nothing_is_remembered_before_the_first_review() -> None:
    assert retrievability(new_card(NOW), NOW) == 0.0


def test_recall_fades_to_the_desired_retention_by_the_due_date() -> None:
    card = graduated()
    assert retrievability(card, NOW) == pytest.approx(1.0)
    assert retrievability(card, card.due) == pytest.approx(DESIRED_RETENTION, abs=0.03)
    assert retrievability(card, card.due + timedelta(days=30)) < retrievability(card, card.due)


def test_scheduling_never_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sleep(_seconds: float) -> None:
        raise AssertionError("fsrs.Card slept to make up an id")

    monkeypatch.setattr(fsrs.card.time, "sleep", no_sleep)
    card, _ = review(new_card(NOW), correct=True, now=NOW, duration_ms=None)
    retrievability(card, NOW)
