"""Claiming due reminders on a real database, SQLite and (with TEST_POSTGRES_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_engine, session_factory
from db.models import Base, User
from db.reminders import (
    CLAIM_LEASE,
    Claim,
    claim_due_reminders,
    mark_inactive,
    record_reminder,
    schedule_reminders,
    snooze_reminder,
)
from learning.reminders import ReminderAction

NOW = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)  # 20:30 in Baghdad
TOMORROW = NOW + timedelta(days=1)
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = await started_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return session_factory(engine)


async def started_engine(url: str) -> AsyncEngine:
    """An engine on `url`, with the tables made if they are not there yet."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    return engine


async def add_users(sessions: Sessions, *users: User) -> None:
    async with sessions() as session, session.begin():
        session.add_all(users)


def user(user_id: int, *, due: datetime | None = NOW, **fields: object) -> User:
    """A user in Baghdad reminded at 20:30, whose next reminder is `due`."""
    settings: dict[str, object] = {"timezone": "Asia/Baghdad", "reminder_minute": 20 * 60 + 30}
    return User(
        id=user_id,
        chat_id=user_id + 1000,
        next_reminder_at=due,
        created_at=NOW - timedelta(days=30),
        last_seen_at=NOW - timedelta(days=1),
        **{**settings, **fields},
    )


async def claim(sessions: Sessions, now: datetime = NOW, limit: int = 100) -> list[Claim]:
    """One sweep's claim, committed."""
    async with sessions() as session, session.begin():
        return await claim_due_reminders(session, now=now, limit=limit)


async def record(sessions: Sessions, claimed: Claim, action: ReminderAction, now: datetime = NOW) -> bool:
    async with sessions() as session, session.begin():
        return await record_reminder(session, claimed, action=action, now=now)


async def stored(sessions: Sessions, user_id: int) -> User:
    async with sessions() as session:
        found = await session.get(User, user_id)
    assert found is not None
    return found


def ids(claims: list[Claim]) -> list[int]:
    return [c.user_id for c in claims]


async def test_only_active_unpaused_users_whose_reminder_is_due_are_claimed(sessions: Sessions) -> None:
    await add_users(
        sessions,
        user(1, due=NOW - timedelta(hours=1)),
        user(2, due=NOW),
        user(3, due=NOW + timedelta(minutes=1)),
        user(4, due=None),
        user(5, active=False),
        user(6, reminders_paused=True),
    )
    claims = await claim(sessions)
    assert ids(claims) == [1, 2]
    assert claims[0] == Claim(1, 1001, "ar", "Asia/Baghdad", 1230, 0, claimed_until=NOW + CLAIM_LEASE)


async def test_the_longest_waiting_are_claimed_first(sessions: Sessions) -> None:
    await add_users(sessions, *(user(n, due=NOW - timedelta(minutes=n)) for n in range(1, 6)))
    assert ids(await claim(sessions, limit=2)) == [4, 5]


async def test_a_claimed_user_is_not_claimed_again_while_the_claim_lasts(sessions: Sessions) -> None:
    await add_users(sessions, user(1))
    assert ids(await claim(sessions)) == [1]
    assert await claim(sessions, now=NOW + timedelta(minutes=5)) == []
    assert (await stored(sessions, 1)).next_reminder_at == NOW + CLAIM_LEASE


async def test_two_sweepers_at_once_claim_different_users(sessions: Sessions) -> None:
    await add_users(sessions, *(user(n) for n in range(1, 7)))
    async with sessions() as first, first.begin():
        first_claims = await claim_due_reminders(first, now=NOW, limit=3)
        # The second sweeper starts while the first has not committed: on PostgreSQL it skips the
        # locked rows, on SQLite it waits for the write lock and then sees the first one's leases.
        second = asyncio.create_task(claim(sessions, limit=3))
        await asyncio.sleep(0.2)
    second_claims = await second
    assert len(first_claims) == len(second_claims) == 3
    assert set(ids(first_claims)).isdisjoint(ids(second_claims))


async def test_many_sweepers_claim_each_due_user_exactly_once(sessions: Sessions) -> None:
    await add_users(sessions, *(user(n, due=NOW - timedelta(seconds=n)) for n in range(1, 41)))
    claimed: Counter[int] = Counter()

    async def sweeper() -> None:
        while batch := await claim(sessions, limit=3):
            claimed.update(ids(batch))

    await asyncio.gather(*(sweeper() for _ in range(5)))
    assert claimed == Counter(range(1, 41))


async def test_a_reminder_claimed_but_never_sent_is_claimed_again_after_a_restart(database_url: str) -> None:
    before = await started_engine(database_url)
    await add_users(session_factory(before), user(1))
    assert ids(await claim(session_factory(before))) == [1]
    await before.dispose()  # the process dies before sending

    after = await started_engine(database_url)
    try:
        assert await claim(session_factory(after), now=NOW + timedelta(minutes=1)) == []
        assert ids(await claim(session_factory(after), now=NOW + CLAIM_LEASE)) == [1]
    finally:
        await after.dispose()


async def test_a_sent_reminder_is_not_sent_again_after_a_restart(database_url: str) -> None:
    before = await started_engine(database_url)
    await add_users(session_factory(before), user(1))
    [claimed] = await claim(session_factory(before))
    assert await record(session_factory(before), claimed, ReminderAction.SEND)
    await before.dispose()

    after = await started_engine(database_url)
    try:
        assert await claim(session_factory(after), now=NOW + CLAIM_LEASE + timedelta(hours=1)) == []
        assert ids(await claim(session_factory(after), now=TOMORROW)) == [1]
    finally:
        await after.dispose()


async def test_sending_schedules_tomorrows_reminder_and_counts_it_unanswered(sessions: Sessions) -> None:
    await add_users(sessions, user(1, ignored_reminders=1))
    [claimed] = await claim(sessions)
    assert await record(sessions, claimed, ReminderAction.SEND, now=NOW + timedelta(seconds=3))
    saved = await stored(sessions, 1)
    assert (saved.next_reminder_at, saved.ignored_reminders) == (TOMORROW, 2)


async def test_skipping_schedules_tomorrows_reminder_without_counting_it(sessions: Sessions) -> None:
    await add_users(sessions, user(1, ignored_reminders=1))
    [claimed] = await claim(sessions)
    assert await record(sessions, claimed, ReminderAction.SKIP)
    saved = await stored(sessions, 1)
    assert (saved.next_reminder_at, saved.ignored_reminders) == (TOMORROW, 1)


async def test_a_paused_user_is_not_claimed_until_reminders_are_turned_on_again(sessions: Sessions) -> None:
    await add_users(sessions, user(1, ignored_reminders=3))
    [claimed] = await claim(sessions)
    assert await record(sessions, claimed, ReminderAction.PAUSE)
    saved = await stored(sessions, 1)
    assert (saved.reminders_paused, saved.next_reminder_at) == (True, None)
    a_week_later = NOW + timedelta(days=7)
    assert await claim(sessions, now=a_week_later) == []

    async with sessions() as session, session.begin():
        assert await schedule_reminders(session, 1, now=a_week_later - timedelta(hours=1)) == a_week_later
    resumed = await stored(sessions, 1)
    assert (resumed.reminders_paused, resumed.ignored_reminders) == (False, 0)


async def test_settings_changed_during_a_claim_are_not_overwritten(sessions: Sessions) -> None:
    await add_users(sessions, user(1))
    [claimed] = await claim(sessions)
    async with sessions() as session, session.begin():
        (await session.get(User, 1)).reminder_minute = 21 * 60  # type: ignore[union-attr]
        await session.flush()
        new_time = await schedule_reminders(session, 1, now=NOW + timedelta(seconds=1))
    assert new_time == NOW + timedelta(minutes=30)
    assert not await record(sessions, claimed, ReminderAction.SEND, now=NOW + timedelta(seconds=2))
    saved = await stored(sessions, 1)
    assert (saved.next_reminder_at, saved.ignored_reminders) == (new_time, 0)


async def test_a_claim_taken_over_after_its_lease_cannot_be_recorded_by_the_first_sweeper(sessions: Sessions) -> None:
    await add_users(sessions, user(1))
    [slow] = await claim(sessions)
    [fresh] = await claim(sessions, now=NOW + CLAIM_LEASE)
    assert not await record(sessions, slow, ReminderAction.SEND)
    assert await record(sessions, fresh, ReminderAction.SEND, now=NOW + CLAIM_LEASE)


async def test_a_user_who_blocked_the_bot_is_not_claimed(sessions: Sessions) -> None:
    await add_users(sessions, user(1), user(2))
    async with sessions() as session, session.begin():
        await mark_inactive(session, 1)
    assert ids(await claim(sessions)) == [2]
    blocked = await stored(sessions, 1)
    # No reminder time left behind for every later claim to step over; writing again sets one.
    assert (blocked.active, blocked.next_reminder_at) == (False, None)


async def test_a_snoozed_reminder_comes_back_an_hour_later_and_then_daily_again(sessions: Sessions) -> None:
    await add_users(sessions, user(1))
    [claimed] = await claim(sessions)
    await record(sessions, claimed, ReminderAction.SEND)
    async with sessions() as session, session.begin():
        until = await snooze_reminder(session, 1, now=NOW + timedelta(minutes=2))
    assert until == NOW + timedelta(hours=1, minutes=2)
    snoozed = await stored(sessions, 1)
    assert (snoozed.snoozed_until, snoozed.ignored_reminders) == (until, 0)

    assert await claim(sessions, now=until - timedelta(seconds=1)) == []
    [again] = await claim(sessions, now=until)
    await record(sessions, again, ReminderAction.SEND, now=until)
    saved = await stored(sessions, 1)
    assert (saved.next_reminder_at, saved.snoozed_until) == (TOMORROW, None)


async def test_reminders_follow_a_new_time_zone(sessions: Sessions) -> None:
    await add_users(sessions, user(1, timezone="Asia/Tokyo", due=None))
    async with sessions() as session, session.begin():
        at = await schedule_reminders(session, 1, now=NOW)
    assert at == datetime(2026, 3, 11, 11, 30, tzinfo=UTC)  # 20:30 in Tokyo


async def test_reminders_turned_off_are_never_claimed(sessions: Sessions) -> None:
    await add_users(sessions, user(1))
    async with sessions() as session, session.begin():
        await session.execute(update(User).values(reminder_minute=None))  # /remind off
        assert await schedule_reminders(session, 1, now=NOW) is None
    assert await claim(sessions, now=TOMORROW + timedelta(days=30)) == []


async def test_an_unknown_user_cannot_be_scheduled(sessions: Sessions) -> None:
    async with sessions() as session, session.begin():
        with pytest.raises(LookupError):
            await schedule_reminders(session, 404, now=NOW)
