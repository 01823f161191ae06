"""Time zones, reminder times, quiet hours and the sweep's decision."""

from datetime import UTC, date, datetime, timedelta

import pytest

from learning.reminders import (
    IGNORED_LIMIT,
    InvalidReminderTime,
    InvalidTimezone,
    ReminderAction,
    ReminderTimeProblem,
    TimezoneProblem,
    decide_reminder,
    effective_reminder_minute,
    local_day,
    next_reminder_at,
    parse_reminder_time,
    parse_timezone,
    snooze_until,
    tzinfo_for,
)

TUESDAY_NOON_IN_BAGHDAD = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
HALF_PAST_EIGHT = 20 * 60 + 30


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def offset_hours(timezone: str) -> float:
    offset = tzinfo_for(timezone).utcoffset(TUESDAY_NOON_IN_BAGHDAD)
    assert offset is not None
    return offset.total_seconds() / 3600


# --- time zones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Asia/Baghdad", "Asia/Baghdad"),
        ("asia/baghdad", "Asia/Baghdad"),
        ("  ASIA/BAGHDAD ", "Asia/Baghdad"),
        ("america/new york", "America/New_York"),
        ("Baghdad", "Asia/Baghdad"),
        ("cairo", "Africa/Cairo"),
        ("\u200fAsia/Riyadh\u200f", "Asia/Riyadh"),
        ("UTC", "UTC"),
        ("gmt", "UTC"),
        ("Etc/GMT-3", "Etc/GMT-3"),
    ],
)
def test_time_zone_names_are_read_in_any_case(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected", "hours"),
    [
        ("+3", "Etc/GMT-3", 3),
        ("+03:00", "Etc/GMT-3", 3),
        ("UTC+3", "Etc/GMT-3", 3),
        ("utc +3", "Etc/GMT-3", 3),
        ("GMT-5", "Etc/GMT+5", -5),
        ("-05:00", "Etc/GMT+5", -5),
        ("\u22125", "Etc/GMT+5", -5),
        ("+٣", "Etc/GMT-3", 3),
        ("+14", "Etc/GMT-14", 14),
        ("-12", "Etc/GMT+12", -12),
        ("+0", "UTC", 0),
        ("UTC-0:00", "UTC", 0),
        ("+05:30", "UTC+05:30", 5.5),
        ("+0530", "UTC+05:30", 5.5),
        ("GMT-5:30", "UTC-05:30", -5.5),
        ("+5:45", "UTC+05:45", 5.75),
        ("-0:30", "UTC-00:30", -0.5),
    ],
)
def test_offsets_become_zones_with_that_offset(text: str, expected: str, hours: float) -> None:
    assert parse_timezone(text) == expected
    assert offset_hours(expected) == hours


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", TimezoneProblem.EMPTY),
        (" \u200f ", TimezoneProblem.EMPTY),
        ("Mars/Olympus", TimezoneProblem.UNKNOWN_NAME),
        ("3", TimezoneProblem.UNKNOWN_NAME),
        ("localtime", TimezoneProblem.UNKNOWN_NAME),
        ("+15", TimezoneProblem.OFFSET_OUT_OF_RANGE),
        ("-13", TimezoneProblem.OFFSET_OUT_OF_RANGE),
        ("+99", TimezoneProblem.OFFSET_OUT_OF_RANGE),
        ("+3:20", TimezoneProblem.OFFSET_MINUTES),
        ("+3:75", TimezoneProblem.OFFSET_MINUTES),
        ("+3:60", TimezoneProblem.OFFSET_MINUTES),
    ],
)
def test_a_time_zone_we_cannot_use_is_refused_with_the_reason(text: str, reason: TimezoneProblem) -> None:
    with pytest.raises(InvalidTimezone) as refused:
        parse_timezone(text)
    assert refused.value.reason == reason


def test_a_misspelt_time_zone_comes_with_a_suggestion() -> None:
    with pytest.raises(InvalidTimezone) as refused:
        parse_timezone("Asia/Bagdad")
    assert refused.value.suggestion == "Asia/Baghdad"
    assert "Asia/Baghdad" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("بغداد", "Asia/Baghdad"),
        ("العراق", "Asia/Baghdad"),
        ("القاهرة", "Africa/Cairo"),
        ("القاهره", "Africa/Cairo"),  # ة typed as ه
        ("ابو ظبي", "Asia/Dubai"),  # hamza left off
        ("الإمارات", "Asia/Dubai"),
        ("الدار البيضاء", "Africa/Casablanca"),
        ("‏الرِّياض‏", "Asia/Riyadh"),  # with its vowel marks, between direction marks
        ("سلطنة عُمان", "Asia/Muscat"),
    ],
)
def test_arabic_city_and_country_names_are_understood(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


def test_an_arabic_name_of_two_zones_is_refused_rather_than_guessed() -> None:
    with pytest.raises(InvalidTimezone):
        parse_timezone("عمان")  # Amman (UTC+3) or Oman (UTC+4)


def test_a_misspelt_arabic_city_comes_with_a_suggestion() -> None:
    with pytest.raises(InvalidTimezone) as refused:
        parse_timezone("بغدد")
    assert refused.value.suggestion == "Asia/Baghdad"
    with pytest.raises(InvalidTimezone) as unknown:
        parse_timezone("مدينة لا أعرفها")
    assert unknown.value.suggestion is None


def test_a_stored_name_parse_timezone_never_makes_is_refused() -> None:
    with pytest.raises(InvalidTimezone):
        tzinfo_for("Mars/Olympus")


# --- reminder times -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minute"),
    [
        ("20:30", 1230),
        ("8:05", 485),
        ("08:05", 485),
        ("0:00", 0),
        ("23:59", 1439),
        ("٢٠:٣٠", 1230),
        ("۸:۰۵", 485),
        (" 20 : 30 ", 1230),
        ("20.30", 1230),
        ("\u200f٢٠:٣٠\u200f", 1230),
    ],
)
def test_reminder_times_are_read_on_a_24_hour_clock(text: str, minute: int) -> None:
    assert parse_reminder_time(text) == minute


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", ReminderTimeProblem.FORMAT),
        ("20", ReminderTimeProblem.FORMAT),
        ("2030", ReminderTimeProblem.FORMAT),
        ("8:5", ReminderTimeProblem.FORMAT),
        ("8:30 pm", ReminderTimeProblem.FORMAT),
        ("evening", ReminderTimeProblem.FORMAT),
        ("24:00", ReminderTimeProblem.OUT_OF_RANGE),
        ("20:60", ReminderTimeProblem.OUT_OF_RANGE),
    ],
)
def test_a_reminder_time_we_cannot_read_is_refused_with_the_reason(text: str, reason: ReminderTimeProblem) -> None:
    with pytest.raises(InvalidReminderTime) as refused:
        parse_reminder_time(text)
    assert refused.value.reason == reason


# --- the next reminder --------------------------------------------------------------------------


def test_the_reminder_comes_at_the_users_local_time() -> None:
    at = next_reminder_at(now=TUESDAY_NOON_IN_BAGHDAD, timezone="Asia/Baghdad", reminder_minute=HALF_PAST_EIGHT)
    assert at == utc(2026, 3, 10, 17, 30)
    assert at is not None and at.tzinfo == UTC


def test_the_next_reminder_is_strictly_after_now() -> None:
    due = utc(2026, 3, 10, 17, 30)
    after = next_reminder_at(now=due, timezone="Asia/Baghdad", reminder_minute=HALF_PAST_EIGHT)
    assert after == due + timedelta(days=1)
    just_before = next_reminder_at(
        now=due - timedelta(microseconds=1), timezone="Asia/Baghdad", reminder_minute=HALF_PAST_EIGHT
    )
    assert just_before == due


def test_offsets_and_fixed_offsets_schedule_alike() -> None:
    for text, expected in [("+3", utc(2026, 3, 10, 17, 30)), ("+05:30", utc(2026, 3, 10, 15, 0))]:
        zone = parse_timezone(text)
        assert next_reminder_at(now=TUESDAY_NOON_IN_BAGHDAD, timezone=zone, reminder_minute=HALF_PAST_EIGHT) == expected


def test_a_local_morning_can_fall_on_the_previous_utc_day() -> None:
    # 23:00 UTC on the 10th is already 08:00 on the 11th in Tokyo.
    at = next_reminder_at(now=utc(2026, 3, 10, 23, 0), timezone="Asia/Tokyo", reminder_minute=8 * 60 + 30)
    assert at == utc(2026, 3, 10, 23, 30)


def test_the_local_time_holds_across_a_daylight_saving_change() -> None:
    # New York springs forward on 8 March 2026: 20:30 is 01:30 UTC before and 00:30 UTC after.
    before = next_reminder_at(now=utc(2026, 3, 7, 12, 0), timezone="America/New_York", reminder_minute=HALF_PAST_EIGHT)
    after = next_reminder_at(now=utc(2026, 3, 8, 12, 0), timezone="America/New_York", reminder_minute=HALF_PAST_EIGHT)
    assert (before, after) == (utc(2026, 3, 8, 1, 30), utc(2026, 3, 9, 0, 30))


def test_a_local_time_skipped_by_daylight_saving_comes_an_hour_later() -> None:
    at = next_reminder_at(
        now=utc(2026, 3, 8, 5, 0), timezone="America/New_York", reminder_minute=2 * 60 + 30, quiet_hours=None
    )
    assert at == utc(2026, 3, 8, 7, 30)
    assert at.astimezone(tzinfo_for("America/New_York")).hour == 3


def test_a_local_time_that_happens_twice_reminds_once() -> None:
    # New York falls back on 1 November 2026: 01:30 happens at 05:30 and again at 06:30 UTC.
    first = next_reminder_at(
        now=utc(2026, 11, 1, 4, 0), timezone="America/New_York", reminder_minute=90, quiet_hours=None
    )
    after_first = next_reminder_at(
        now=utc(2026, 11, 1, 5, 45), timezone="America/New_York", reminder_minute=90, quiet_hours=None
    )
    assert first == utc(2026, 11, 1, 5, 30)
    assert after_first == utc(2026, 11, 2, 6, 30)


@pytest.mark.parametrize(
    ("minute", "goes_out_at"),
    [
        (21 * 60 + 59, 21 * 60 + 59),
        (22 * 60, 8 * 60),
        (23 * 60, 8 * 60),
        (0, 8 * 60),
        (7 * 60 + 59, 8 * 60),
        (8 * 60, 8 * 60),
        (HALF_PAST_EIGHT, HALF_PAST_EIGHT),
    ],
)
def test_a_reminder_set_in_the_quiet_hours_moves_to_their_end(minute: int, goes_out_at: int) -> None:
    assert effective_reminder_minute(minute) == goes_out_at


def test_a_late_night_reminder_comes_the_next_morning() -> None:
    at = next_reminder_at(now=TUESDAY_NOON_IN_BAGHDAD, timezone="Asia/Baghdad", reminder_minute=23 * 60)
    assert at == utc(2026, 3, 11, 5, 0)


def test_quiet_hours_can_be_any_span_or_none() -> None:
    assert effective_reminder_minute(14 * 60, (13 * 60, 15 * 60)) == 15 * 60
    assert effective_reminder_minute(23 * 60, None) == 23 * 60
    at = next_reminder_at(now=TUESDAY_NOON_IN_BAGHDAD, timezone="UTC", reminder_minute=23 * 60, quiet_hours=None)
    assert at == utc(2026, 3, 10, 23, 0)


def test_no_reminder_time_means_no_reminder() -> None:
    assert next_reminder_at(now=TUESDAY_NOON_IN_BAGHDAD, timezone="Asia/Baghdad", reminder_minute=None) is None


@pytest.mark.parametrize("minute", [-1, 1440])
def test_a_minute_outside_the_day_is_refused(minute: int) -> None:
    with pytest.raises(ValueError, match="minute of the day"):
        next_reminder_at(now=TUESDAY_NOON_IN_BAGHDAD, timezone="UTC", reminder_minute=minute)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_reminder_at(now=datetime(2026, 3, 10, 9, 0), timezone="UTC", reminder_minute=HALF_PAST_EIGHT)
    with pytest.raises(ValueError, match="naive"):
        local_day(datetime(2026, 3, 10, 9, 0), "UTC")


# --- local days and snoozing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "timezone", "day"),
    [
        (utc(2026, 3, 10, 23, 0), "Asia/Tokyo", date(2026, 3, 11)),
        (utc(2026, 3, 10, 5, 0), "America/Los_Angeles", date(2026, 3, 9)),
        (utc(2026, 3, 10, 20, 59), "Asia/Baghdad", date(2026, 3, 10)),
        (utc(2026, 3, 10, 21, 0), "Asia/Baghdad", date(2026, 3, 11)),
        (utc(2026, 3, 10, 18, 30), "UTC+05:30", date(2026, 3, 11)),
    ],
)
def test_the_users_day_turns_at_their_own_midnight(now: datetime, timezone: str, day: date) -> None:
    assert local_day(now, timezone) == day


def test_a_snooze_lasts_an_hour() -> None:
    assert snooze_until(now=utc(2026, 3, 10, 17, 30), timezone="Asia/Baghdad") == utc(2026, 3, 10, 18, 30)


def test_a_snooze_into_the_quiet_hours_lasts_until_morning() -> None:
    # 21:30 in Baghdad: an hour later is 22:30, so the reminder comes back at 08:00 (05:00 UTC).
    assert snooze_until(now=utc(2026, 3, 10, 18, 30), timezone="Asia/Baghdad") == utc(2026, 3, 11, 5, 0)


# --- the sweep's decision -----------------------------------------------------------------------


def decide(**overrides: object) -> ReminderAction:
    facts: dict[str, object] = {
        "now": utc(2026, 3, 10, 17, 30),
        "timezone": "Asia/Baghdad",
        "reviews_due": 0,
        "daily_quiz_done": False,
        "ignored_reminders": 0,
    }
    return decide_reminder(**{**facts, **overrides})  # type: ignore[arg-type]


def test_a_reminder_goes_out_while_todays_quiz_is_undone() -> None:
    assert decide(daily_quiz_done=False, reviews_due=0) == ReminderAction.SEND


def test_a_reminder_goes_out_while_reviews_are_due() -> None:
    assert decide(daily_quiz_done=True, reviews_due=4) == ReminderAction.SEND


def test_no_reminder_when_nothing_waits() -> None:
    assert decide(daily_quiz_done=True, reviews_due=0) == ReminderAction.SKIP


def test_reminders_pause_after_three_ignored_in_a_row() -> None:
    assert IGNORED_LIMIT == 3
    assert decide(ignored_reminders=2) == ReminderAction.SEND
    assert decide(ignored_reminders=3) == ReminderAction.PAUSE


def test_nothing_is_said_when_nothing_waits_even_after_ignored_reminders() -> None:
    assert decide(ignored_reminders=3, daily_quiz_done=True) == ReminderAction.SKIP


def test_a_sweep_running_late_into_the_night_stays_silent() -> None:
    assert decide(now=utc(2026, 3, 10, 20, 0)) == ReminderAction.SKIP  # 23:00 in Baghdad
    assert decide(now=utc(2026, 3, 10, 20, 0), quiet_hours=None) == ReminderAction.SEND
