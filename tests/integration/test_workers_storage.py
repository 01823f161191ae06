"""What several workers share through the database: update ids taken, the sweep's lock, the send pace."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import prepare_database
from bot.settings import Settings
from db import migrate
from db.engine import create_engine, session_factory
from db.locks import sweep_lock
from db.pacing import SharedPace
from db.updates import KEEP_UPDATE_IDS, forget_updates, take_update

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    yield engine
    await engine.dispose()


async def take(engine: AsyncEngine, update_id: int, now: datetime = NOW) -> bool:
    async with session_factory(engine)() as session, session.begin():
        return await take_update(session, update_id, now=now)


async def test_an_update_id_is_taken_once_even_by_racing_workers(engine: AsyncEngine) -> None:
    assert await take(engine, 1)
    assert not await take(engine, 1)
    racing = await asyncio.gather(*(take(engine, 2) for _ in range(5)))
    assert sorted(racing) == [False] * 4 + [True]


async def test_old_update_ids_are_forgotten_and_recent_ones_kept(engine: AsyncEngine) -> None:
    await take(engine, 1, NOW - KEEP_UPDATE_IDS - timedelta(minutes=1))
    await take(engine, 2, NOW - KEEP_UPDATE_IDS + timedelta(minutes=1))
    async with session_factory(engine)() as session, session.begin():
        assert await forget_updates(session, now=NOW) == 1
    assert await take(engine, 1)  # forgotten: it could no longer be a retry
    assert not await take(engine, 2)


async def test_the_sweep_lock_is_held_by_one_sweep_at_a_time(engine: AsyncEngine, database_url: str) -> None:
    # Another worker has its own engine on PostgreSQL; SQLite serves one process, with one engine.
    other = create_engine(database_url) if engine.dialect.name == "postgresql" else engine
    try:
        async with sweep_lock(engine) as first:
            async with sweep_lock(other) as second:
                assert (first, second) == (True, False)
        async with sweep_lock(other) as after_release:
            assert after_release
    finally:
        if other is not engine:
            await other.dispose()


async def test_the_send_pace_spaces_turns_across_workers_and_a_pause_holds_them_all(engine: AsyncEngine, database_url: str) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the shared pace is PostgreSQL's; SQLite serves one process, which paces itself")
    per_second = 20
    workers = [SharedPace(database_url, per_second), SharedPace(database_url, per_second)]
    try:
        waits = sorted(await asyncio.gather(*(workers[i % 2].take_turn() for i in range(10))))
        # Ten turns from two workers at 20 a second: one now, then one every 50 ms, none sooner.
        assert waits[0] < 0.05
        assert all(later - earlier > 0.025 for earlier, later in zip(waits, waits[1:], strict=False))
        await asyncio.sleep(waits[-1])
        await workers[0].pause(1.0)
        assert 0.9 < await workers[1].take_turn() <= 1.0
    finally:
        for pace in workers:
            await pace.close()


async def test_workers_started_together_prepare_the_database_one_after_the_other(database_url: str) -> None:
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    reports = await asyncio.gather(*(prepare_database(settings) for _ in range(3)))
    assert sorted(report.added > 0 for report in reports) == [False, False, True]
