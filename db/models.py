"""SQLAlchemy models: every piece of user state the bot keeps."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}



class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


UTC_DATETIME = UTCDateTime()
# SQLite only auto-numbers an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT.
BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A person who wrote to the bot; ids are Telegram's."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    language: Mapped[str] = mapped_column(String(8), default="ar")
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    timezone_asked: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_minute: Mapped[int | None] = mapped_column(Integer, default=20 * 60)  # local minute of day; None = off
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME, index=True)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTC_DATETIME)
    ignored_reminders: Mapped[int] = mapped_column(Integer, default=0)
    reminders_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False once Telegram says the bot is blocked
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    last_seen_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class QuestionRow(Base):
    """A question as loaded from questions/sets; edits keep the id, so history stays attached."""

    __tablename__ = "questions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    set_id: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict] = mapped_column(JSON)  # the validated questions.schema.Question, as JSON
    content_hash: Mapped[str] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)  # gone from the files; kept for history
    updated_at: Mapped[datetime] = mapped_column(UTC_DATETIME)


class Quiz(Base):
    """One round of questions for one user: the daily quiz, a practice round or a review."""

    __tablename__ = "quizzes"
    __table_args__ = (
        # One daily quiz per user and local day; practice and review rounds are unlimited.
        Index(
            "uq_quizzes_daily",
            "user_id",
            "day",
            unique=True,
            sqlite_where=text("kind = 'daily'"),
            postgresql_where=text("kind = 'daily'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # daily | practice | review
    day: Mapped[date] = mapped_column(Date)  # the user's local day the quiz belongs to
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    finished_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)


class QuizItem(Base):
    """A question in a quiz, the order its options were shown in, and the user's answer once given."""

    __tablename__ = "quiz_items"
    __table_args__ = (UniqueConstraint("quiz_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(Integer, ForeignKey("quizzes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 0-based
    question_id: Mapped[str] = mapped_column(String(40), ForeignKey("questions.id"), index=True)
    option_order: Mapped[list] = mapped_column(JSON)  # canonical option indexes in the order shown
    asked_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)
    answered_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)
    response: Mapped[str | None] = mapped_column(Text)  # what the user chose or wrote
    correct: Mapped[bool | None] = mapped_column(Boolean)


class Card(Base):
    """The FSRS memory state of one question for one user."""

    __tablename__ = "cards"
    __table_args__ = (UniqueConstraint("user_id", "question_id"), Index("ix_cards_user_due", "user_id", "due"))

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(40), ForeignKey("questions.id"))
    state: Mapped[int] = mapped_column(Integer)  # fsrs.State
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTC_DATETIME, index=True)
    last_review: Mapped[datetime | None] = mapped_column(UTC_DATETIME)


class ReviewLog(Base):
    """Every FSRS review, kept so the scheduler's parameters can be optimised later."""

    __tablename__ = "review_logs"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    card_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(Integer)  # fsrs.Rating
    reviewed_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    duration_ms: Mapped[int | None] = mapped_column(Integer)


class SendPace(Base):
    """The bot-wide outbound pace every worker takes turns from (db/pacing.py; PostgreSQL only)."""

    __tablename__ = "send_pace"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTC_DATETIME)  # the earliest the next request may go out
    paused_until: Mapped[datetime] = mapped_column(UTC_DATETIME)  # after a 429, nothing goes out before this


class ProcessedUpdate(Base):
    """Update ids already handled, so a redelivered webhook update is processed once."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTC_DATETIME, index=True)
