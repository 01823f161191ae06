"""The real database through the real migrations, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import multiprocessing
from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, select, update

from db import migrate
from db.engine import create_engine
from db.models import Base, QuizItem, User
from db.repository import Database, Profile
from learning.quiz import PlannedItem
from questions.bank import load_sets
from questions.schema import Text

ALICE = Profile(user_id=1001, chat_id=1001, first_name="Alice", language="en")


async def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names


@pytest.fixture
async def db(database_url: str):  # type: ignore[no-untyped-def]
    await migrate.upgrade(database_url)
    database = Database(create_engine(database_url))
    yield database
    await database.close()


def question_sets():  # type: ignore[no-untyped-def]
    return [(s.id, s.questions) for s in load_sets()]


async def test_migrations_go_up_down_and_up_again(database_url: str) -> None:
    await migrate.upgrade(database_url)
    assert set(Base.metadata.tables) <= await table_names(database_url)
    await migrate.downgrade(database_url, "base")
    assert await table_names(database_url) <= {"alembic_version"}
    await migrate.upgrade(database_url)
    assert set(Base.metadata.tables) <= await table_names(database_url)


async def test_upgrading_clears_the_reminder_times_blocked_users_were_left_with(database_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    await migrate.upgrade(database_url, "0002")
    engine = create_engine(database_url)
    stale = clock() - timedelta(days=3)
    try:
        async with engine.begin() as connection:
            for user_id, active in ((1, False), (2, True)):
                await connection.execute(
                    User.__table__.insert().values(
                        id=user_id, chat_id=user_id, active=active, next_reminder_at=stale, created_at=stale, last_seen_at=stale
                    )
                )
        await migrate.upgrade(database_url)
        async with engine.connect() as connection:
            rows = dict((await connection.execute(select(User.id, User.next_reminder_at).order_by(User.id))).all())
    finally:
        await engine.dispose()
    assert rows == {1: None, 2: stale}  # the blocked user's is gone; the active user's, due, stays


async def test_a_user_is_created_once_and_refreshed_on_each_contact(db: Database, clock) -> None:  # type: ignore[no-untyped-def]
    async with db.transaction() as repo:
        first = await repo.touch_user(ALICE, clock())
    later = clock.advance(days=1)
    async with db.transaction() as repo:
        again = await repo.touch_user(Profile(1001, 1001, "Alicia", "ar"), later)
    assert first.created_at == again.created_at
    assert (again.first_name, again.language, again.last_seen_at) == ("Alicia", "ar", later)


async def test_a_chosen_language_outlasts_telegrams(db: Database, clock) -> None:  # type: ignore[no-untyped-def]
    async with db.transaction() as repo:
        await repo.touch_user(ALICE, clock())
        await repo.session.execute(update(User).values(language="en", language_chosen=True))
    async with db.transaction() as repo:
        user = await repo.touch_user(Profile(1001, 1001, "Alice", "ar"), clock())
    assert user.language == "en"


async def test_loading_the_questions_twice_changes_nothing(db: Database, clock) -> None:  # type: ignore[no-untyped-def]
    async with db.transaction() as repo:
        first = await repo.sync_questions(question_sets(), clock())
    async with db.transaction() as repo:
        second = await repo.sync_questions(question_sets(), clock())
    assert first.added > 0
    assert (second.added, second.updated, second.retired, second.unchanged) == (0, 0, 0, first.added)


async def test_editing_a_question_keeps_the_answers_given_to_it(db: Database, clock) -> None:  # type: ignore[no-untyped-def]
    sets = question_sets()
    set_id, questions = sets[0]
    target = questions[0]
    async with db.transaction() as repo:
        await repo.sync_questions(sets, clock())
        await repo.touch_user(ALICE, clock())
        quiz = await repo.create_quiz(ALICE.user_id, "daily", date(2026, 3, 10), [PlannedItem(target.id, (0, 1, 2, 3))], clock())
        item = (await repo.items(quiz.id))[0]
        assert await repo.record_answer(item.id, "0", True, clock())
    edited = target.model_copy(update={"prompt": Text(ar="نص معدل", en="edited prompt")})
    async with db.transaction() as repo:
        report = await repo.sync_questions([(set_id, (edited, *questions[1:]))], clock())
        answers = await repo.answers(ALICE.user_id)
        bank = await repo.questions()
    assert report.updated == 1
    assert len(answers) == 1 and answers[0].correct
    assert bank[target.id][0].prompt.en == "edited prompt"


async def test_a_question_removed_from_the_files_is_retired_not_deleted(db: Database, clock) -> None:  # type: ignore[no-untyped-def]
    sets = question_sets()
    set_id, questions = sets[0]
    async with db.transaction() as repo:
        await repo.sync_questions(sets, clock())
    async with db.transaction() as repo:
        report = await repo.sync_questions([(set_id, questions[1:])], clock())
        bank = await repo.questions()
    assert report.retired == 1
    assert bank[questions[0].id][1] is True


async def test_an_answer_is_recorded_once_however_often_it_arrives(db: Database, clock) -> None:  # type: ignore[no-untyped-def]
    question = question_sets()[0][1][0]
    async with db.transaction() as repo:
        await repo.sync_questions(question_sets(), clock())
        await repo.touch_user(ALICE, clock())
        quiz = await repo.create_quiz(ALICE.user_id, "daily", date(2026, 3, 10), [PlannedItem(question.id, (0, 1, 2, 3))], clock())
        item_id = (await repo.items(quiz.id))[0].id

    async def answer(choice: str) -> bool:
        async with db.transaction() as repo:
            return await repo.record_answer(item_id, choice, choice == "0", clock())

    results = await asyncio.gather(*(answer(str(i % 4)) for i in range(8)))
    assert sum(results) == 1
    async with db.transaction() as repo:
        stored = await repo.session.scalar(select(QuizItem).where(QuizItem.id == item_id))
    assert stored is not None and stored.response == str(results.index(True) % 4)


async def test_one_daily_quiz_per_user_and_day(db: Database, clock) -> None:  # type: ignore[no-untyped-def]
    question = question_sets()[0][1][0]
    async with db.transaction() as repo:
        await repo.sync_questions(question_sets(), clock())
        await repo.touch_user(ALICE, clock())
        await repo.create_quiz(ALICE.user_id, "daily", date(2026, 3, 10), [PlannedItem(question.id, ())], clock())
        await repo.create_quiz(ALICE.user_id, "practice", date(2026, 3, 10), [PlannedItem(question.id, ())], clock())
    with pytest.raises(Exception, match="(?i)unique"):
        async with db.transaction() as repo:
            await repo.create_quiz(ALICE.user_id, "daily", date(2026, 3, 10), [PlannedItem(question.id, ())], clock())


def _increment_many(url: str, times: int) -> None:
    """In another process: read a counter, then write it back plus one, `times` times."""

    async def work() -> None:
        database = Database(create_engine(url))
        for _ in range(times):
            async with database.transaction() as repo:
                user = await repo.session.get(User, ALICE.user_id, populate_existing=True)
                assert user is not None
                user.ignored_reminders = user.ignored_reminders + 1
        await database.close()

    asyncio.run(work())


async def test_two_processes_that_read_then_write_lose_no_update_on_sqlite(db: Database, database_url: str, clock) -> None:  # type: ignore[no-untyped-def]
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's BEGIN IMMEDIATE is under test; PostgreSQL writes go through atomic statements")
    async with db.transaction() as repo:
        await repo.touch_user(ALICE, clock())
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_increment_many, args=(database_url, 40)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        await asyncio.to_thread(worker.join, 60)
    assert all(worker.exitcode == 0 for worker in workers)
    async with db.transaction() as repo:
        user = await repo.session.get(User, ALICE.user_id, populate_existing=True)
    assert user is not None and user.ignored_reminders == 80
