"""The quiz service on a real database with a tiny bank: what happens when questions run out."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import update

from bot.service import AnswerStatus, AskedQuestion, NothingDue, QuestionBank, QuizService
from db import migrate
from db.engine import create_engine
from db.models import User
from db.repository import Database, Profile
from questions.bank import load_sets
from questions.schema import QuestionType

BANK = load_sets()[0].questions

ALICE = Profile(1001, 1001, "Alice", "en")


async def make_service(database_url: str, clock, questions) -> QuizService:  # type: ignore[no-untyped-def]
    await migrate.upgrade(database_url)
    database = Database(create_engine(database_url))
    async with database.transaction() as repo:
        await repo.sync_questions([("tiny", questions)], clock())
        bank = QuestionBank(await repo.questions())
    return QuizService(database, bank, quiz_length=5, reviews_per_day=3, clock=clock, rng=lambda: random.Random(1))


@pytest.fixture
async def service(database_url: str, clock):  # type: ignore[no-untyped-def]
    service = await make_service(database_url, clock, [q for q in BANK if q.type.value == "choice"][:2])
    yield service
    await service.db.close()


async def answer_all(service: QuizService, asked: AskedQuestion, *, right: bool) -> None:
    step: object = asked
    while isinstance(step, AskedQuestion):
        shown = step.option_order.index(0) if right else step.option_order.index(1)
        _, outcome, _ = await service.answer_button(ALICE, step.quiz_id, step.position, shown)
        step = outcome.next


async def test_a_small_bank_makes_a_short_quiz_then_nothing_is_left(service: QuizService, clock) -> None:  # type: ignore[no-untyped-def]
    _, asked = await service.start_daily(ALICE)
    assert isinstance(asked, AskedQuestion) and asked.total == 2
    await answer_all(service, asked, right=True)
    clock.advance(days=1)
    _, tomorrow = await service.start_daily(ALICE)
    assert isinstance(tomorrow, NothingDue)  # both questions learnt, none due yet, none new


async def test_reviews_stop_at_the_daily_limit(service: QuizService, clock) -> None:  # type: ignore[no-untyped-def]
    _, asked = await service.start_daily(ALICE)
    assert isinstance(asked, AskedQuestion)
    await answer_all(service, asked, right=False)  # 2 reviews logged, both due again in minutes
    clock.advance(minutes=15)
    _, round_ = await service.start_review(ALICE)
    assert isinstance(round_, AskedQuestion) and round_.total == 1  # limit 3, 2 already done today
    await answer_all(service, round_, right=False)
    clock.advance(minutes=15)
    _, refused = await service.start_review(ALICE)
    assert refused == NothingDue(limit_reached=True)


async def test_a_typed_answer_goes_to_the_question_last_shown_even_with_a_practice_round_open(database_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    typed = next(q for q in BANK if q.type is QuestionType.TYPED)
    choice = next(q for q in BANK if q.type is QuestionType.CHOICE and q.category != typed.category)
    service = await make_service(database_url, clock, [typed, choice])
    try:
        _, asked = await service.start_daily(ALICE)
        assert isinstance(asked, AskedQuestion)
        if asked.question.id != typed.id:  # answer the choice question first, to reach the typed one
            _, outcome, _ = await service.answer_button(ALICE, asked.quiz_id, asked.position, 0)
            asked = outcome.next
        assert isinstance(asked, AskedQuestion) and asked.question.id == typed.id
        clock.advance(seconds=20)
        await service.start_practice(ALICE, first=[choice.id])  # a practice round opens on a choice question
        clock.advance(seconds=20)
        _, shown_again = await service.start_daily(ALICE)  # and the daily quiz's typed question is shown again
        assert isinstance(shown_again, AskedQuestion) and shown_again.question.id == typed.id
        assert typed.answer is not None
        _, outcome, kind = await service.answer_text(ALICE, typed.answer.en)
        assert outcome is not None and outcome.correct is True and kind == "daily"
    finally:
        await service.db.close()


async def test_moving_the_time_zone_west_never_reopens_a_finished_day(service: QuizService, clock) -> None:  # type: ignore[no-untyped-def]
    _, monday = await service.start_daily(ALICE)  # 10 March, 09:00 UTC; left unfinished
    assert isinstance(monday, AskedQuestion)
    clock.advance(days=1)
    _, tuesday = await service.start_daily(ALICE)
    assert isinstance(tuesday, AskedQuestion) and tuesday.quiz_id != monday.quiz_id
    async with service.db.transaction() as repo:  # UTC-12: it is still 10 March there
        await repo.session.execute(update(User).where(User.id == ALICE.user_id).values(timezone="Etc/GMT+12"))
    _, today = await service.start_daily(ALICE)
    assert isinstance(today, AskedQuestion) and today.quiz_id == tuesday.quiz_id
    _, late, _ = await service.answer_button(ALICE, monday.quiz_id, monday.position, 0)
    assert late.status is AnswerStatus.STALE
