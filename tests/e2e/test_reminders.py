"""Reminders through the chat and the sweep: at the user's own time, only when something waits, once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from bot.emulator import BotApiEmulator
from bot.reminding import ReminderSweep
from db import reminders as store
from db.engine import create_engine
from db.models import User
from db.repository import Database
from tests.e2e.quizzing import take_quiz

QUIZ_WAITING = "Today's quiz is waiting"


def reminders_in(user) -> list:  # type: ignore[no-untyped-def]
    return [m for m in user.messages if QUIZ_WAITING in m.text or "due for review" in m.text]


async def sweep(bot) -> object:  # type: ignore[no-untyped-def]
    """One sweep, as the repeating job runs it, through the bot's real sending path."""
    services = bot.application.bot_data
    return await services.sweep.run(bot.application.bot)


async def user_row(database_url: str, user_id: int) -> User:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        row = (await connection.execute(select(User).where(User.id == user_id))).one()
    await engine.dispose()
    return row


async def test_a_reminder_comes_at_the_users_time_once(emulator: BotApiEmulator, bot, clock) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await alice.ask("/start")
    clock.now = datetime(2026, 3, 10, 19, 59, tzinfo=UTC)
    await sweep(bot)
    assert reminders_in(alice) == []  # not yet: the default reminder time is 20:00
    clock.advance(minutes=1, seconds=30)
    report = await sweep(bot)
    await sweep(bot)  # a second sweep in the same minute sends nothing more
    assert (report.claimed, report.sent) == (1, 1)
    [reminder] = reminders_in(alice)
    assert [b.text for b in reminder.flat_buttons] == ["▶️ Start", "⏰ In an hour"]
    await alice.tap(reminder, "▶️ Start")
    await alice.wait_for(lambda msgs: "Question 1/5" in msgs[-1].text)


async def test_no_reminder_when_nothing_waits(emulator: BotApiEmulator, bot, clock) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await take_quiz(alice, [True] * 5, language="en")
    clock.now = datetime(2026, 3, 10, 20, 1, tzinfo=UTC)
    report = await sweep(bot)
    assert (report.claimed, report.skipped, report.sent) == (1, 1, 0)
    assert reminders_in(alice) == []


async def test_reminder_time_and_time_zone_are_the_users_own(emulator: BotApiEmulator, bot, clock, database_url: str) -> None:  # type: ignore[no-untyped-def]
    omar = emulator.user(1002, "عمر", language_code="en")
    assert "Time zone set to Asia/Baghdad" in (await omar.ask("/timezone asia/baghdad")).text
    assert "every day at 18:30 (Asia/Baghdad)" in (await omar.ask("/remind 18:30")).text
    assert (await user_row(database_url, 1002)).next_reminder_at == datetime(2026, 3, 10, 15, 30, tzinfo=UTC)  # 18:30 in Baghdad
    clock.now = datetime(2026, 3, 10, 15, 30, 5, tzinfo=UTC)
    await sweep(bot)
    assert len(reminders_in(omar)) == 1


async def test_an_arabic_speaker_sets_the_time_zone_by_typing_the_city_in_arabic(emulator: BotApiEmulator, bot, database_url: str) -> None:  # type: ignore[no-untyped-def]
    huda = emulator.user(1004, "هدى", language_code="ar")
    reply = await huda.ask("/timezone بغداد")
    assert "بغداد" in reply.text and "Asia/" not in reply.text
    assert (await user_row(database_url, 1004)).timezone == "Asia/Baghdad"
    refused = await huda.ask("/timezone بغدد")
    assert "هل تقصد بغداد؟" in refused.text  # the suggestion, in Arabic too
    assert (await user_row(database_url, 1004)).timezone == "Asia/Baghdad"  # unchanged


async def test_bad_times_and_zones_get_a_clear_answer_and_change_nothing(emulator: BotApiEmulator, bot, database_url: str) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await alice.ask("/remind 19:15")
    before = await user_row(database_url, 1001)
    assert "couldn't read that time" in (await alice.ask("/remind 25:99")).text
    assert "don't know the time zone “Mars/Olympus”" in (await alice.ask("/timezone Mars/Olympus")).text
    suggestion = await alice.ask("/timezone Asia/Bagdad")
    assert "Did you mean Asia/Baghdad?" in suggestion.text and suggestion.flat_buttons
    after = await user_row(database_url, 1001)
    assert (after.reminder_minute, after.timezone, after.next_reminder_at) == (
        before.reminder_minute,
        before.timezone,
        before.next_reminder_at,
    )
    assert "Time zone set to UTC+3" in (await alice.ask("/timezone +3")).text  # not IANA's inverted "Etc/GMT-3"
    quiet = (await alice.ask("/remind 23:30")).text  # quiet hours: the time it really comes first, then why
    assert quiet.startswith("Done: I'll remind you every day at 08:00 (UTC+3)") and "Not at 23:30" in quiet and "comes at 08:00" in quiet
    assert "Reminders are off" in (await alice.ask("/remind off")).text
    assert (await user_row(database_url, 1001)).next_reminder_at is None


async def test_the_time_zone_is_asked_once_after_the_first_quiz(emulator: BotApiEmulator, bot, clock) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await take_quiz(alice, [True] * 5, language="en")
    question = alice.last
    assert "which time zone are you in?" in question.text
    await alice.tap(question, "Africa/Cairo")
    await alice.wait_for(lambda msgs: "Time zone set to Africa/Cairo" in question.text)
    clock.advance(days=1)
    await take_quiz(alice, [True] * 5, language="en")
    assert not any("which time zone" in m.text for m in alice.messages)  # the one question became the answer


async def test_snooze_brings_the_reminder_back_in_an_hour(emulator: BotApiEmulator, bot, clock) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await alice.ask("/start")
    clock.now = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
    await sweep(bot)
    popup = await alice.tap(reminders_in(alice)[0], "⏰ In an hour")
    assert popup.text == "OK, I'll remind you at 21:00."
    clock.advance(minutes=59)
    await sweep(bot)
    assert len(reminders_in(alice)) == 1
    clock.advance(minutes=2)
    await sweep(bot)
    assert len(reminders_in(alice)) == 2


async def test_three_ignored_reminders_pause_them_until_the_user_writes(emulator: BotApiEmulator, bot, clock) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await alice.ask("/start")
    for day in range(10, 15):
        clock.now = datetime(2026, 3, day, 20, 0, 30, tzinfo=UTC)
        await sweep(bot)
    assert len(reminders_in(alice)) == 3
    assert sum("I'll stop for now" in m.text for m in alice.messages) == 1
    await alice.ask("/score")  # any message turns them back on
    clock.now = datetime(2026, 3, 15, 20, 0, 30, tzinfo=UTC)
    await sweep(bot)
    assert len(reminders_in(alice)) == 4


async def test_a_user_who_blocked_the_bot_is_skipped_until_they_write_again(emulator: BotApiEmulator, bot, clock, database_url: str) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await alice.ask("/start")
    alice.block()
    clock.now = datetime(2026, 3, 10, 20, 0, 30, tzinfo=UTC)
    report = await sweep(bot)
    assert report.blocked == 1
    assert not (await user_row(database_url, 1001)).active
    clock.now = datetime(2026, 3, 11, 20, 0, 30, tzinfo=UTC)
    assert (await sweep(bot)).claimed == 0
    alice.unblock()
    await alice.ask("/start")
    assert (await user_row(database_url, 1001)).active
    clock.now = datetime(2026, 3, 12, 20, 0, 30, tzinfo=UTC)
    await sweep(bot)
    assert len(reminders_in(alice)) == 1


async def test_a_429_storm_delays_reminders_but_loses_none(emulator: BotApiEmulator, bot, clock) -> None:  # type: ignore[no-untyped-def]
    users = [emulator.user(2000 + i, f"U{i}", language_code="en") for i in range(5)]
    for user in users:
        await user.ask("/start")
    emulator.fail("sendMessage", status=429, retry_after=1, times=3)
    clock.now = datetime(2026, 3, 10, 20, 0, 30, tzinfo=UTC)
    report = await sweep(bot)
    assert report.sent == 5
    assert [len(reminders_in(u)) for u in users] == [1] * 5
    assert emulator.stats.injected_failures == 3


async def test_two_sweepers_at_once_never_send_twice(emulator: BotApiEmulator, bot, clock, database_url: str) -> None:  # type: ignore[no-untyped-def]
    users = [emulator.user(3000 + i, f"U{i}", language_code="en") for i in range(12)]
    for user in users:
        await user.ask("/start")
    clock.now = datetime(2026, 3, 10, 20, 0, 30, tzinfo=UTC)
    other = Database(create_engine(database_url))
    try:
        reports = await asyncio.gather(
            sweep(bot), ReminderSweep(other, clock, batch=5).run(bot.application.bot)
        )
    finally:
        await other.close()
    await sweep(bot)  # whatever the batch limit left
    assert sum(r.sent for r in reports) >= 5
    assert [len(reminders_in(u)) for u in users] == [1] * 12


async def test_a_claim_lost_to_a_crash_is_sent_later_not_twice(emulator: BotApiEmulator, bot, clock, database_url: str) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await alice.ask("/start")
    clock.now = datetime(2026, 3, 10, 20, 0, 30, tzinfo=UTC)
    crashed = Database(create_engine(database_url))
    async with crashed.transaction() as repo:  # a sweeper claims, then dies before sending
        assert len(await store.claim_due_reminders(repo.session, now=clock(), limit=10)) == 1
    await crashed.close()
    await bot.restart()
    assert (await sweep(bot)).claimed == 0  # the claim holds for its lease
    clock.advance(minutes=11)
    await sweep(bot)
    await sweep(bot)
    assert len(reminders_in(alice)) == 1
