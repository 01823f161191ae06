"""Spaced repetition through the chat: answers schedule cards, and due reviews come back first."""

from __future__ import annotations

from sqlalchemy import select

from bot.emulator import BotApiEmulator
from db.engine import create_engine
from db.models import Card, ReviewLog
from tests.e2e.quizzing import question_in, take_quiz


async def stored(database_url: str, model):  # type: ignore[no-untyped-def]
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(model))).all()
    await engine.dispose()
    return rows


async def test_every_answer_schedules_a_card_and_logs_the_review(emulator: BotApiEmulator, bot, database_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await take_quiz(alice, [True, False, True, True, False], language="en")
    cards = await stored(database_url, Card)
    logs = await stored(database_url, ReviewLog)
    assert len(cards) == 5 and len(logs) == 5
    soon = [c for c in cards if (c.due - clock()).total_seconds() <= 15 * 60]
    later = [c for c in cards if (c.due - clock()).days >= 1]
    assert len(soon) == 2 and len(later) == 3  # wrong answers come back within minutes, right ones in days
    assert sorted(log.rating for log in logs) == [1, 1, 3, 3, 3]  # Again twice, Good three times
    assert all(log.duration_ms is not None and log.duration_ms >= 0 for log in logs)


async def test_review_brings_back_what_was_missed_once_it_is_due(emulator: BotApiEmulator, bot, clock) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    missed = (await take_quiz(alice, [True, True, True, True, False], language="en")).questions[4]
    assert "Nothing to review right now" in (await alice.ask("/review")).text
    clock.advance(minutes=11)
    round_ = await alice.ask("/review")
    assert "Review · Question 1/1" in round_.text
    assert question_in(round_, "en").id == missed.id


async def test_the_next_days_quiz_starts_with_the_reviews_that_are_due(emulator: BotApiEmulator, bot, clock) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    first = await take_quiz(alice, [False, True, False, True, True], language="en")
    missed = {first.questions[0].id, first.questions[2].id}
    clock.advance(days=1)
    second = await take_quiz(alice, [True] * 5, language="en")
    assert "You scored 5/5" in second.final.text
    assert {q.id for q in second.questions[:2]} == missed
    assert not {q.id for q in second.questions[2:]} & {q.id for q in first.questions}  # then new ones
