"""When each question comes back: FSRS spaced repetition through the `fsrs` package, pure.

The scheduler's configuration lives here and nowhere else. Every function takes `now`; nothing
reads the clock or draws random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

DESIRED_RETENTION = 0.9
# One short step, not fsrs's default (1 min, 10 min): people see questions once a day, so a right
# first answer graduates the card at once, and a wrong one comes back in the next review round.
LEARNING_STEPS = (timedelta(minutes=10),)
RELEARNING_STEPS = (timedelta(minutes=10),)

# Fuzzing is off: fsrs draws it from the global `random`, a hidden input. Cards answered together
# drift apart anyway, since right and wrong answers send them different ways.
SCHEDULER = Scheduler(
    desired_retention=DESIRED_RETENTION,
    learning_steps=LEARNING_STEPS,
    relearning_steps=RELEARNING_STEPS,
    enable_fuzzing=False,
)

# fsrs.Card makes up an id from the clock, and sleeps to keep them unique, unless given one.
# The id plays no part in scheduling, so every card we hand to fsrs carries this one.
_CARD_ID = 0


@dataclass(frozen=True)
class CardState:
    """The FSRS memory state of one question for one user, as the cards table keeps it."""

    state: State
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    def __post_init__(self) -> None:
        as_utc(self.due, "due")
        if self.last_review is not None:
            as_utc(self.last_review, "last_review")


def new_card(now: datetime) -> CardState:
    """A card never reviewed, due at once.

    Args:
        now: The current time, timezone-aware.

    Returns:
        A card in the Learning state at its first step, with no memory state yet.

    Raises:
        ValueError: If `now` is naive.
    """
    return CardState(
        state=State.Learning, step=0, stability=None, difficulty=None, due=as_utc(now), last_review=None
    )


def rating_for(correct: bool, duration_ms: int | None) -> Rating:
    """The FSRS rating an answer earns: Good when right, Again when wrong.

    The time taken is deliberately not used. FSRS ratings grade how hard recall felt, and answer
    time is a poor proxy for that here: a fast right answer to a two- or four-option question may
    be a guess, and a slow one may be reading a long question or typing the answer. Easy and Hard
    change stability a lot (about x1.9 and x0.6), so noise there would do harm; FSRS works well
    with pass/fail ratings alone. `duration_ms` is still stored with each review, so the rule can be
    revisited once the review logs can be used to fit the parameters.

    Args:
        correct: Whether the answer was right.
        duration_ms: How long the answer took, if known.

    Returns:
        Rating.Good or Rating.Again.
    """
    return Rating.Good if correct else Rating.Again


def review(
    card: CardState, *, correct: bool, now: datetime, duration_ms: int | None
) -> tuple[CardState, Rating]:
    """The card after one answer, and the rating the answer was given.

    Args:
        card: The card before the answer.
        correct: Whether the answer was right.
        now: When the answer was given, timezone-aware.
        duration_ms: How long the answer took, if known (see `rating_for`).

    Returns:
        The updated card (due and last_review in UTC) and the rating to log.

    Raises:
        ValueError: If `now` is naive.
    """
    rating = rating_for(correct, duration_ms)
    reviewed, _log = SCHEDULER.review_card(_to_fsrs(card), rating, review_datetime=as_utc(now))
    return _from_fsrs(reviewed), rating


def retrievability(card: CardState, now: datetime) -> float:
    """The predicted chance, 0 to 1, that the user recalls the card at `now`; 0 before any review.

    Args:
        card: The card.
        now: The time to predict for, timezone-aware.

    Returns:
        The probability of recall.

    Raises:
        ValueError: If `now` is naive.
    """
    return float(SCHEDULER.get_card_retrievability(_to_fsrs(card), current_datetime=as_utc(now)))


def _to_fsrs(card: CardState) -> Card:
    return Card(
        card_id=_CARD_ID,
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def _from_fsrs(card: Card) -> CardState:
    return CardState(
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def as_utc(moment: datetime, name: str = "now") -> datetime:
    """The same instant in UTC; raises ValueError, naming the argument, for a naive datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} is a naive datetime; pass an aware one, e.g. datetime.now(UTC)")
    return moment.astimezone(UTC)
