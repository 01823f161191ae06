"""Reading and writing the bot's state: turns rows into core values and back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fsrs import Rating, State
from sqlalchemy import Executable, bindparam, case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from db.engine import session_factory
from db.models import Card, QuestionRow, Quiz, QuizItem, ReviewLog, User
from db.reminders import schedule_reminders
from learning.quiz import PlannedItem
from learning.scheduling import CardState, new_card
from learning.stats import Answer
from questions.schema import Question


@dataclass(frozen=True)
class Profile:
    """Who is writing, as Telegram tells it."""

    user_id: int
    chat_id: int
    first_name: str
    language: str


@dataclass(frozen=True)
class SyncReport:
    """What loading the question sets changed."""

    added: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0


def content_hash(question: Question) -> str:
    """A fingerprint of a question's content, to tell an edited question from an unchanged one."""
    canonical = json.dumps(question.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Repository:
    """The queries of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table):  # type: ignore[no-untyped-def]
        dialect = postgresql if self.session.bind.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def _statement(self, build: Callable[[Callable[[Any], Any]], Executable]) -> Executable:
        """The statement `build` makes with this database's INSERT, built once per dialect."""
        dialect = self.session.bind.dialect.name
        key = (build, dialect)
        if key not in _BUILT:
            _BUILT[key] = build(postgresql.insert if dialect == "postgresql" else sqlite.insert)
        return _BUILT[key]

    # --- users -------------------------------------------------------------------------------

    async def touch_user(self, profile: Profile, now: datetime) -> User:
        """Create the user on first contact, or refresh their name, chat and language; one statement."""
        values = {
            "id": profile.user_id,
            "chat_id": profile.chat_id,
            "first_name": profile.first_name[:128],
            "language": profile.language,
            "created_at": now,
            "last_seen_at": now,
        }
        # One round trip: the row as it now stands comes back with the upsert, into the session's User.
        user = (await self.session.scalars(self._statement(_touch_user), values)).one()
        if user.reminder_minute is not None and (user.next_reminder_at is None or user.next_reminder_at <= now):
            # Paused reminders resume, and a reminder due just as the user writes is not sent after it.
            await schedule_reminders(self.session, user.id, now=now)
            await self.session.refresh(user)
        return user

    async def user(self, user_id: int) -> User | None:
        """The user, if the bot knows them."""
        return await self.session.get(User, user_id)

    # --- questions ---------------------------------------------------------------------------

    async def sync_questions(self, sets: Sequence[tuple[str, Sequence[Question]]], now: datetime) -> SyncReport:
        """Make the questions table match the sets: add new, update edited, retire removed; ids stay."""
        existing = {row.id: row for row in (await self.session.scalars(select(QuestionRow))).all()}
        added = updated = unchanged = 0
        seen: set[str] = set()
        for set_id, questions in sets:
            for question in questions:
                seen.add(question.id)
                digest = content_hash(question)
                row = existing.get(question.id)
                if row is None:
                    self.session.add(_question_row(set_id, question, digest, now))
                    added += 1
                elif row.content_hash != digest or row.retired or row.set_id != set_id:
                    row.set_id, row.category, row.retired = set_id, question.category.value, False
                    row.payload, row.content_hash, row.updated_at = question.model_dump(mode="json"), digest, now
                    updated += 1
                else:
                    unchanged += 1
        retired = 0
        for row in existing.values():
            if row.id not in seen and not row.retired:
                row.retired, row.updated_at = True, now
                retired += 1
        await self.session.flush()
        return SyncReport(added, updated, retired, unchanged)

    async def questions(self) -> dict[str, tuple[Question, bool]]:
        """Every question the database holds, with whether it is retired."""
        rows = (await self.session.scalars(select(QuestionRow))).all()
        return {row.id: (Question.model_validate(row.payload), row.retired) for row in rows}

    # --- quizzes -----------------------------------------------------------------------------

    async def daily_quiz(self, user_id: int, day: date) -> Quiz | None:
        """The user's daily quiz for that day, if there is one."""
        return await self.session.scalar(
            select(Quiz).where(Quiz.user_id == user_id, Quiz.kind == "daily", Quiz.day == day)
        )

    async def quiz(self, quiz_id: int) -> Quiz | None:
        """A quiz by id."""
        return await self.session.get(Quiz, quiz_id)

    async def create_quiz(
        self, user_id: int, kind: str, day: date, items: Sequence[PlannedItem], now: datetime
    ) -> Quiz:
        """Store a new quiz and its items."""
        quiz = Quiz(user_id=user_id, kind=kind, day=day, size=len(items), created_at=now)
        self.session.add(quiz)
        await self.session.flush()
        self.session.add_all(
            QuizItem(quiz_id=quiz.id, position=i, question_id=item.question_id, option_order=list(item.option_order))
            for i, item in enumerate(items)
        )
        await self.session.flush()
        return quiz

    async def quiz_and_items(self, quiz_id: int) -> tuple[Quiz | None, list[QuizItem]]:
        """A quiz and its items in order, in one query (a quiz always has items); (None, []) when there is none."""
        rows = (
            await self.session.execute(
                select(QuizItem, Quiz).join(Quiz, Quiz.id == QuizItem.quiz_id).where(QuizItem.quiz_id == quiz_id).order_by(QuizItem.position)
            )
        ).all()
        return (rows[0][1] if rows else None), [item for item, _ in rows]

    async def items(self, quiz_id: int) -> list[QuizItem]:
        """A quiz's items in order."""
        rows = await self.session.scalars(select(QuizItem).where(QuizItem.quiz_id == quiz_id).order_by(QuizItem.position))
        return list(rows.all())

    async def mark_asked(self, item_id: int, now: datetime) -> None:
        """Note when a question was last shown: typed replies answer it, and answer time counts from it."""
        await self.session.execute(_MARK_ASKED, {"item_id": item_id, "now": now})

    async def last_shown_question(self, user_id: int) -> QuizItem | None:
        """The unanswered question most recently shown to the user, in any unfinished quiz."""
        return await self.session.scalar(
            select(QuizItem)
            .join(Quiz, Quiz.id == QuizItem.quiz_id)
            .where(
                Quiz.user_id == user_id,
                Quiz.finished_at.is_(None),
                QuizItem.asked_at.is_not(None),
                QuizItem.answered_at.is_(None),
            )
            .order_by(QuizItem.asked_at.desc(), QuizItem.id.desc())
            .limit(1)
        )

    async def latest_daily_day(self, user_id: int) -> date | None:
        """The day of the user's most recent daily quiz."""
        return await self.session.scalar(
            select(func.max(Quiz.day)).where(Quiz.user_id == user_id, Quiz.kind == "daily")
        )

    async def record_answer(self, item_id: int, response: str, correct: bool, now: datetime) -> bool:
        """Store the answer unless one is stored already; True when this call stored it."""
        values = {"item_id": item_id, "now": now, "response": response[:512], "correct": correct}
        return (await self.session.execute(_RECORD_ANSWER, values)).rowcount == 1

    async def finish_quiz(self, quiz_id: int, now: datetime) -> bool:
        """Mark the quiz finished once; True when this call finished it."""
        return (await self.session.execute(_FINISH_QUIZ, {"quiz_id": quiz_id, "now": now})).rowcount == 1

    @staticmethod
    def written(row: object, **values: object) -> None:
        """Tell the session that `row` now holds `values`, as written by one of the statements above
        (plain SQL, which leaves loaded rows as they were), so that it does not write them again."""
        for name, value in values.items():
            set_committed_value(row, name, value)

    # --- cards -------------------------------------------------------------------------------

    async def card_state(self, user_id: int, question_id: str, now: datetime) -> CardState:
        """The user's card for a question, locked for this transaction; a new card if there is none."""
        row = await self.session.scalar(
            select(Card).where(Card.user_id == user_id, Card.question_id == question_id).with_for_update()
        )
        return new_card(now) if row is None else card_state_of(row)

    async def save_review(
        self,
        user_id: int,
        question_id: str,
        card: CardState,
        rating: Rating,
        reviewed_at: datetime,
        duration_ms: int | None,
    ) -> None:
        """Store the card's new state and log the review that led to it."""
        values = {
            "state": card.state.value,
            "step": card.step,
            "stability": card.stability,
            "difficulty": card.difficulty,
            "due": card.due,
            "last_review": card.last_review,
        }
        card_id = await self.session.scalar(self._statement(_save_card), {"user_id": user_id, "question_id": question_id, **values})
        log = {"card_id": card_id, "user_id": user_id, "rating": rating.value, "reviewed_at": reviewed_at, "duration_ms": duration_ms}
        await self.session.execute(_LOG_REVIEW, log)

    async def due_question_ids(self, user_id: int, now: datetime, limit: int) -> list[str]:
        """The user's questions due for review at `now`, most overdue first."""
        rows = await self.session.scalars(
            select(Card.question_id)
            .join(QuestionRow, QuestionRow.id == Card.question_id)
            .where(Card.user_id == user_id, Card.due <= now, QuestionRow.retired.is_(False))
            .order_by(Card.due, Card.id)
            .limit(limit)
        )
        return list(rows.all())

    async def due_count(self, user_id: int, now: datetime) -> int:
        """How many of the user's cards are due at `now`."""
        count = await self.session.scalar(
            select(func.count()).select_from(Card).where(Card.user_id == user_id, Card.due <= now)
        )
        return int(count or 0)

    async def carded_question_ids(self, user_id: int) -> set[str]:
        """The questions the user has a card for, that is, has answered at least once."""
        return set((await self.session.scalars(select(Card.question_id).where(Card.user_id == user_id))).all())

    async def reviews_since(self, user_id: int, since: datetime) -> int:
        """How many answers the user gave since `since`."""
        count = await self.session.scalar(
            select(func.count()).select_from(ReviewLog).where(ReviewLog.user_id == user_id, ReviewLog.reviewed_at >= since)
        )
        return int(count or 0)

    # --- stats -------------------------------------------------------------------------------

    async def answers(self, user_id: int) -> list[Answer]:
        """Every answer the user gave, for the stats."""
        rows = await self.session.execute(
            select(QuestionRow.category, QuizItem.correct, Quiz.day)
            .join(Quiz, Quiz.id == QuizItem.quiz_id)
            .join(QuestionRow, QuestionRow.id == QuizItem.question_id)
            .where(Quiz.user_id == user_id, QuizItem.answered_at.is_not(None))
        )
        return [Answer(category, bool(correct), day) for category, correct, day in rows.all()]

    async def daily_days_done(self, user_id: int) -> list[date]:
        """The days whose daily quiz the user finished."""
        rows = await self.session.scalars(
            select(Quiz.day).where(Quiz.user_id == user_id, Quiz.kind == "daily", Quiz.finished_at.is_not(None))
        )
        return list(rows.all())

    async def times_seen(self, user_id: int) -> dict[str, int]:
        """How often the user answered each question."""
        rows = await self.session.execute(
            select(QuizItem.question_id, func.count())
            .join(Quiz, Quiz.id == QuizItem.quiz_id)
            .where(Quiz.user_id == user_id, QuizItem.answered_at.is_not(None))
            .group_by(QuizItem.question_id)
        )
        return {qid: n for qid, n in rows.all()}


def card_state_of(row: Card) -> CardState:
    """The core's view of a cards row."""
    return CardState(
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due,
        last_review=row.last_review,
    )


# The answer path's writes, built once: plain SQL on the tables, not ORM statements rebuilt for
# every answer (bench/updates.py: building and keying those was a good part of an answer's CPU).
_items, _quizzes = QuizItem.__table__, Quiz.__table__
_MARK_ASKED = (
    update(_items)
    .where(_items.c.id == bindparam("item_id"), _items.c.answered_at.is_(None))
    .values(asked_at=bindparam("now"))
)
_RECORD_ANSWER = (
    update(_items)
    .where(_items.c.id == bindparam("item_id"), _items.c.answered_at.is_(None))
    .values(answered_at=bindparam("now"), response=bindparam("response"), correct=bindparam("correct"))
)
_FINISH_QUIZ = (
    update(_quizzes)
    .where(_quizzes.c.id == bindparam("quiz_id"), _quizzes.c.finished_at.is_(None))
    .values(finished_at=bindparam("now"))
)
_LOG_REVIEW = insert(ReviewLog.__table__)
_BUILT: dict[tuple[object, str], Executable] = {}


def _touch_user(dialect_insert: Callable[[Any], Any]) -> Executable:
    columns = ("id", "chat_id", "first_name", "language", "created_at", "last_seen_at")
    statement = dialect_insert(User).values({name: bindparam(name) for name in columns})
    statement = statement.on_conflict_do_update(
        index_elements=[User.id],
        set_={
            "chat_id": statement.excluded.chat_id,
            "first_name": statement.excluded.first_name,
            "last_seen_at": statement.excluded.last_seen_at,
            "active": True,  # writing again undoes a block
            "ignored_reminders": 0,  # and answers any reminder
            # Telegram's language only until the user picks one with /language.
            "language": _case_when_not_chosen(statement.excluded.language),
        },
    )
    return statement.returning(User).execution_options(populate_existing=True)


def _save_card(dialect_insert: Callable[[Any], Any]) -> Executable:
    state = ("state", "step", "stability", "difficulty", "due", "last_review")
    statement = dialect_insert(Card).values({name: bindparam(name) for name in ("user_id", "question_id", *state)})
    statement = statement.on_conflict_do_update(
        index_elements=[Card.user_id, Card.question_id], set_={name: statement.excluded[name] for name in state}
    )
    return statement.returning(Card.id)


def _case_when_not_chosen(telegram_language):  # type: ignore[no-untyped-def]
    return case((User.language_chosen.is_(True), User.language), else_=telegram_language)


def _question_row(set_id: str, question: Question, digest: str, now: datetime) -> QuestionRow:
    return QuestionRow(
        id=question.id,
        set_id=set_id,
        category=question.category.value,
        payload=question.model_dump(mode="json"),
        content_hash=digest,
        retired=False,
        updated_at=now,
    )


class Database:
    """The engine and its transactions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repository]:
        """A repository whose work commits together on exit, or rolls back on error."""
        async with self._sessions() as session, session.begin():
            yield Repository(session)

    async def close(self) -> None:
        """Release the engine's connections."""
        await self.engine.dispose()
