"""Composing quizzes and grading button answers."""

import random

import pytest

from learning.quiz import compose_quiz, is_correct_choice, option_index, shown_options
from questions.schema import Category, Question, QuestionType, Text


def make_question(qid: str, category: Category = Category.PLACES, kind: QuestionType = QuestionType.CHOICE) -> Question:
    common = dict(
        id=qid,
        category=category,
        type=kind,
        prompt=Text(ar="سؤال", en="question"),
        explanation=Text(ar="شرح", en="why"),
        source="جملة.",
    )
    if kind is QuestionType.TRUE_FALSE:
        return Question(**common, truth=True)
    distractors = (Text(ar="ب", en="b"), Text(ar="ج", en="c"), Text(ar="د", en="d")) if kind is QuestionType.CHOICE else ()
    return Question(**common, answer=Text(ar="أ", en="a"), distractors=distractors)


BANK = [make_question(f"q-{c.value}-{i}", c) for c in Category if c is not Category.QUOTES for i in range(4)]


def test_a_quiz_has_the_requested_size_and_no_repeats() -> None:
    planned = compose_quiz(BANK, size=5, rng=random.Random(1))
    ids = [p.question_id for p in planned]
    assert len(ids) == 5 and len(set(ids)) == 5


def test_a_quiz_spreads_over_every_category() -> None:
    planned = compose_quiz(BANK, size=4, rng=random.Random(2))
    by_id = {q.id: q for q in BANK}
    assert {by_id[p.question_id].category for p in planned} == {Category.DATES, Category.PLACES, Category.ACTORS, Category.NUMBERS}


def test_questions_seen_least_come_first() -> None:
    seen = {q.id: 3 for q in BANK}
    seen["q-dates-2"] = 0
    planned = compose_quiz(BANK, size=1, rng=random.Random(3), times_seen=seen)
    assert planned[0].question_id == "q-dates-2"


def test_questions_asked_first_lead_the_quiz_in_their_order() -> None:
    planned = compose_quiz(BANK, size=3, rng=random.Random(4), first=["q-numbers-3", "q-dates-1"])
    assert [p.question_id for p in planned[:2]] == ["q-numbers-3", "q-dates-1"]


def test_a_small_bank_gives_a_shorter_quiz() -> None:
    assert len(compose_quiz(BANK[:2], size=5, rng=random.Random(5))) == 2


def test_the_same_seed_gives_the_same_quiz() -> None:
    assert compose_quiz(BANK, size=5, rng=random.Random(9)) == compose_quiz(BANK, size=5, rng=random.Random(9))


def test_a_quiz_needs_at_least_one_question() -> None:
    with pytest.raises(ValueError, match="at least one"):
        compose_quiz(BANK, size=0, rng=random.Random())


def test_the_right_button_is_wherever_the_shuffle_put_the_answer() -> None:
    question = make_question("q-x")
    order = shown_options(question, random.Random(11))
    right = order.index(0)
    assert is_correct_choice(question, order, right)
    assert not any(is_correct_choice(question, order, i) for i in range(4) if i != right)


def test_true_false_buttons_read_true_then_false() -> None:
    question = make_question("q-tf", kind=QuestionType.TRUE_FALSE)
    order = shown_options(question, random.Random())
    assert is_correct_choice(question, order, 0)
    assert not is_correct_choice(question, order, 1)


def test_a_button_that_was_never_shown_is_refused() -> None:
    with pytest.raises(ValueError):
        option_index((2, 0, 1, 3), 4)
