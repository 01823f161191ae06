"""Reading a user's history for the progress pages, exporting it, and deleting it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from db.models import Card, Quiz, QuizItem, ReviewLog, User
from db.repository import card_state_of
from learning.progress import AnsweredItem
from learning.scheduling import CardState


@dataclass(frozen=True)
class QuizSummary:
    """A quiz as the history lists it."""

    id: int
    kind: str
    day: date
    created_at: datetime
    finished: bool
    correct: int
    answered: int
    total: int


@dataclass(frozen=True)
class ItemRecord:
    """One question of a past quiz and what the user answered."""

    question_id: str
    option_order: tuple[int, ...]
    response: str | None
    correct: bool | None


def _summaries() -> Select[Any]:
    answered = func.count(QuizItem.answered_at)
    correct = func.coalesce(func.sum(case((QuizItem.correct.is_(True), 1), else_=0)), 0)
    return (
        select(Quiz, answered, correct)
        .join(QuizItem, QuizItem.quiz_id == Quiz.id)
        .group_by(Quiz.id)
        .order_by(Quiz.created_at.desc(), Quiz.id.desc())
    )


def _summary(quiz: Quiz, answered: int, correct: int) -> QuizSummary:
    return QuizSummary(
        quiz.id, quiz.kind, quiz.day, quiz.created_at, quiz.finished_at is not None, int(correct), int(answered), quiz.size
    )


async def recent_quizzes(session: AsyncSession, user_id: int, limit: int) -> list[QuizSummary]:
    """The user's latest quizzes that have at least one answer, newest first."""
    rows = await session.execute(
        _summaries().where(Quiz.user_id == user_id).having(func.count(QuizItem.answered_at) > 0).limit(limit)
    )
    return [_summary(*row) for row in rows.all()]


async def daily_summary(session: AsyncSession, user_id: int, day: date) -> QuizSummary | None:
    """The user's daily quiz of `day`, if there is one."""
    row = (
        await session.execute(_summaries().where(Quiz.user_id == user_id, Quiz.kind == "daily", Quiz.day == day))
    ).first()
    return _summary(*row) if row else None


async def quiz_record(session: AsyncSession, user_id: int, quiz_id: int) -> tuple[QuizSummary, list[ItemRecord]] | None:
    """One of the user's quizzes and its items; None when there is no such quiz of theirs."""
    row = (await session.execute(_summaries().where(Quiz.user_id == user_id, Quiz.id == quiz_id))).first()
    if row is None:
        return None
    items = await session.scalars(select(QuizItem).where(QuizItem.quiz_id == quiz_id).order_by(QuizItem.position))
    return _summary(*row), [
        ItemRecord(i.question_id, tuple(i.option_order), i.response, i.correct) for i in items.all()
    ]


async def answered_items(session: AsyncSession, user_id: int) -> list[AnsweredItem]:
    """Every answer the user gave, by question."""
    rows = await session.execute(
        select(QuizItem.question_id, QuizItem.correct, QuizItem.answered_at)
        .join(Quiz, Quiz.id == QuizItem.quiz_id)
        .where(Quiz.user_id == user_id, QuizItem.answered_at.is_not(None))
    )
    return [AnsweredItem(qid, bool(correct), at) for qid, correct, at in rows.all()]


async def card_states(session: AsyncSession, user_id: int) -> dict[str, CardState]:
    """The user's cards, by question."""
    rows = await session.scalars(select(Card).where(Card.user_id == user_id))
    return {row.question_id: card_state_of(row) for row in rows.all()}


async def choose_language(session: AsyncSession, user_id: int, language: str) -> None:
    """Keep the user's language, whatever Telegram says from now on."""
    await session.execute(update(User).where(User.id == user_id).values(language=language, language_chosen=True))


async def export_user(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Every row the bot holds about the user, column by column, quizzes with their items."""
    user = await session.get(User, user_id)
    if user is None:
        return {}
    quizzes = (await session.scalars(select(Quiz).where(Quiz.user_id == user_id).order_by(Quiz.id))).all()
    items = (
        await session.scalars(
            select(QuizItem).join(Quiz).where(Quiz.user_id == user_id).order_by(QuizItem.quiz_id, QuizItem.position)
        )
    ).all()
    by_quiz: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        by_quiz.setdefault(item.quiz_id, []).append(row_values(item))
    cards = (await session.scalars(select(Card).where(Card.user_id == user_id).order_by(Card.id))).all()
    reviews = (await session.scalars(select(ReviewLog).where(ReviewLog.user_id == user_id).order_by(ReviewLog.id))).all()
    return {
        "profile": row_values(user),
        "quizzes": [row_values(q) | {"items": by_quiz.get(q.id, [])} for q in quizzes],
        "cards": [row_values(c) for c in cards],
        "review_logs": [row_values(r) for r in reviews],
    }


async def forget_user(session: AsyncSession, user_id: int) -> None:
    """Delete the user; their quizzes, answers, cards and reviews go with them (ON DELETE CASCADE)."""
    await session.execute(delete(User).where(User.id == user_id))


def row_values(row: DeclarativeBase) -> dict[str, Any]:
    """A row's columns as JSON-ready values: datetimes and dates in ISO 8601."""
    values = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return values
