"""Composing quizzes and grading answers."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from questions.schema import Question, QuestionType


class QuizKind(StrEnum):
    """Why a quiz exists."""

    DAILY = "daily"
    PRACTICE = "practice"
    REVIEW = "review"


@dataclass(frozen=True)
class PlannedItem:
    """A question placed in a quiz, with its options in the order the user will see them."""

    question_id: str
    option_order: tuple[int, ...]


def shown_options(question: Question, rng: random.Random) -> tuple[int, ...]:
    """The order to show a question's options in: shuffled choices, true before false, none typed."""
    if question.type is QuestionType.CHOICE:
        order = list(range(len(question.options())))
        rng.shuffle(order)
        return tuple(order)
    if question.type is QuestionType.TRUE_FALSE:
        return (1, 0)  # index 1 = "true", index 0 = "false", so the buttons read True | False
    return ()


def compose_quiz(
    questions: Sequence[Question],
    *,
    size: int,
    rng: random.Random,
    first: Sequence[str] = (),
    times_seen: Mapping[str, int] | None = None,
) -> list[PlannedItem]:
    """Pick `size` questions: those in `first` (in order), then the least seen, spread across categories.

    Args:
        questions: the bank to draw from (retired questions already left out).
        size: how many questions the quiz has; fewer if the bank is smaller.
        rng: the randomness, passed in so tests can pin it.
        first: question ids that must come first, such as reviews that are due, most overdue first.
        times_seen: how often the user has already answered each question id.

    Returns:
        The planned items, each with the order its options are shown in.

    Raises:
        ValueError: if `size` is not positive.
    """
    if size < 1:
        raise ValueError(f"a quiz has at least one question, not {size}")
    by_id = {q.id: q for q in questions}
    chosen = [by_id[qid] for qid in dict.fromkeys(first) if qid in by_id][:size]
    taken = {q.id for q in chosen}
    seen = times_seen or {}
    rest = [q for q in questions if q.id not in taken]
    rng.shuffle(rest)
    rest.sort(key=lambda q: seen.get(q.id, 0))  # stable: shuffled within each count
    chosen += _spread_across_categories(rest, size - len(chosen))
    return [PlannedItem(q.id, shown_options(q, rng)) for q in chosen]


def _spread_across_categories(candidates: Sequence[Question], count: int) -> list[Question]:
    """Take `count` candidates, round-robin by category, keeping each category's order."""
    queues: dict[str, list[Question]] = {}
    for question in candidates:
        queues.setdefault(question.category, []).append(question)
    picked: list[Question] = []
    while len(picked) < count and any(queues.values()):
        for queue in queues.values():
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    return picked


def option_index(option_order: Sequence[int], shown: int) -> int:
    """The canonical option index behind the `shown`-th button.

    Raises:
        ValueError: if there is no such button.
    """
    if not 0 <= shown < len(option_order):
        raise ValueError(f"no option {shown} among {len(option_order)}")
    return option_order[shown]


def is_correct_choice(question: Question, option_order: Sequence[int], shown: int) -> bool:
    """Whether the `shown`-th button is the right answer (choice and true/false questions).

    Raises:
        ValueError: if the question takes a typed answer, or there is no such button.
    """
    chosen = option_index(option_order, shown)
    if question.type is QuestionType.CHOICE:
        return chosen == 0
    if question.type is QuestionType.TRUE_FALSE:
        return bool(chosen) == question.truth
    raise ValueError(f"question {question.id} takes a typed answer, not a button")


def count_correct(results: Iterable[bool | None]) -> int:
    """How many of the answers were right."""
    return sum(1 for r in results if r)
