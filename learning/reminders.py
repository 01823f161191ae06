"""Reminders: the user's time zone and reminder time, when the next reminder falls, and whether to send it.

Pure: every function takes `now`. A time zone is kept as a string, either an IANA name
("Asia/Baghdad", "Etc/GMT-3", "UTC") or, for offsets that are not whole hours, "UTC+05:30";
`tzinfo_for` turns either into a tzinfo.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from datetime import timezone as FixedOffset
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from learning.place_names import zone_for_arabic_name, zone_for_misspelt_arabic_name
from learning.scheduling import as_utc

MINUTES_PER_DAY = 24 * 60
QUIET_HOURS = (22 * 60, 8 * 60)  # local minutes [start, end); wraps past midnight when start > end
SNOOZE = timedelta(hours=1)
IGNORED_LIMIT = 3  # reminders in a row without a reply before reminders pause

# Telegram clients may wrap right-to-left text in direction marks; they are invisible to the user.
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})
# `\d` matches any decimal digit, Arabic-Indic (٠-٩) and Persian (۰-۹) too, and int() reads them.
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?:\s*[:.]?\s*(\d{2}))?", re.IGNORECASE)
_FIXED_OFFSET = re.compile(r"UTC([+-])(\d\d):(\d\d)")
_TIME = re.compile(r"(\d{1,2})\s*[:.\u066b]\s*(\d{2})")
_UTC_NAMES = {"utc", "gmt", "z"}
_MAX_EAST, _MAX_WEST = timedelta(hours=14), timedelta(hours=-12)  # the widest offsets in use


class TimezoneProblem(StrEnum):
    """Why a time zone was refused, for the message that tells the user what to send instead."""

    EMPTY = "empty"
    UNKNOWN_NAME = "unknown_name"  # not an IANA name (a suggestion may come with it)
    OFFSET_OUT_OF_RANGE = "offset_out_of_range"  # beyond -12:00 .. +14:00
    OFFSET_MINUTES = "offset_minutes"  # minutes other than 00, 15, 30, 45: no zone uses them


class InvalidTimezone(ValueError):
    """The text is not a time zone we can use; `reason` says why, `suggestion` may name a close match."""

    def __init__(self, text: str, reason: TimezoneProblem, suggestion: str | None = None) -> None:
        hint = f"; did you mean {suggestion}?" if suggestion else ""
        super().__init__(f"invalid time zone {text!r}: {reason.value}{hint}")
        self.text, self.reason, self.suggestion = text, reason, suggestion


class ReminderTimeProblem(StrEnum):
    """Why a reminder time was refused."""

    FORMAT = "format"  # not HH:MM on a 24-hour clock
    OUT_OF_RANGE = "out_of_range"  # hour over 23 or minute over 59


class InvalidReminderTime(ValueError):
    """The text is not a time of day like 20:30; `reason` says why."""

    def __init__(self, text: str, reason: ReminderTimeProblem) -> None:
        super().__init__(f"invalid reminder time {text!r}: {reason.value}")
        self.text, self.reason = text, reason


class ReminderAction(StrEnum):
    """What the sweep does for a user whose reminder time has come."""

    SEND = "send"  # something is waiting: remind
    PAUSE = "pause"  # IGNORED_LIMIT reminders went unanswered: say once that reminders stop, and stop
    SKIP = "skip"  # nothing is waiting, or it is quiet hours: say nothing


def parse_timezone(text: str) -> str:
    """The time zone the user means, as stored in users.timezone.

    Accepts IANA names in any case ("asia/baghdad", "America/New York"), a city alone when only one
    zone has it ("Baghdad"), "UTC"/"GMT", and offsets from UTC: "+3", "+03:00", "UTC+3",
    "GMT-5:30", in Arabic-Indic digits too. Whole-hour offsets become "Etc/GMT-3" style names
    (whose sign is inverted, as IANA defines them); others become "UTC+05:30".

    Args:
        text: What the user wrote.

    Returns:
        A name `tzinfo_for` accepts.

    Raises:
        InvalidTimezone: With the reason the text was refused.
    """
    cleaned = _clean(text).translate(_MINUS_SIGNS)
    if not cleaned:
        raise InvalidTimezone(text, TimezoneProblem.EMPTY)
    if cleaned.lower() in _UTC_NAMES:
        return "UTC"
    if offset := _OFFSET.fullmatch(cleaned):
        return _offset_zone(text, *offset.groups())
    key = re.sub(r"\s+", "_", cleaned).lower()
    names, cities = _zone_names()
    if key in names:
        return names[key]
    if len(cities.get(key, ())) == 1:
        return cities[key][0]
    if zone := zone_for_arabic_name(cleaned):
        return zone
    raise InvalidTimezone(text, TimezoneProblem.UNKNOWN_NAME, _suggestion(key) or zone_for_misspelt_arabic_name(cleaned))


def tzinfo_for(timezone_name: str) -> tzinfo:
    """The tzinfo for a stored time zone name; raises InvalidTimezone for one `parse_timezone` never makes."""
    if fixed := _FIXED_OFFSET.fullmatch(timezone_name):
        sign, hours, minutes = fixed.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        return FixedOffset(-offset if sign == "-" else offset, timezone_name)
    try:
        return ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidTimezone(timezone_name, TimezoneProblem.UNKNOWN_NAME) from None


def parse_reminder_time(text: str) -> int:
    """The minute of the day for a 24-hour time like "20:30", "8:05" or "٢٠:٣٠".

    Args:
        text: What the user wrote.

    Returns:
        Minutes after local midnight, 0 to 1439.

    Raises:
        InvalidReminderTime: With the reason the text was refused.
    """
    match = _TIME.fullmatch(_clean(text))
    if match is None:
        raise InvalidReminderTime(text, ReminderTimeProblem.FORMAT)
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise InvalidReminderTime(text, ReminderTimeProblem.OUT_OF_RANGE)
    return hour * 60 + minute


def in_quiet_hours(minute: int, quiet_hours: tuple[int, int] | None = QUIET_HOURS) -> bool:
    """Whether a local minute of the day falls in the quiet hours [start, end)."""
    if quiet_hours is None:
        return False
    start, end = quiet_hours
    return start <= minute < end if start <= end else minute >= start or minute < end


def effective_reminder_minute(minute: int, quiet_hours: tuple[int, int] | None = QUIET_HOURS) -> int:
    """The local minute a reminder really goes out: a time in the quiet hours moves to their end."""
    _check_minute(minute)
    return quiet_hours[1] if quiet_hours is not None and in_quiet_hours(minute, quiet_hours) else minute


def next_reminder_at(
    *,
    now: datetime,
    timezone: str,
    reminder_minute: int | None,
    quiet_hours: tuple[int, int] | None = QUIET_HOURS,
) -> datetime | None:
    """The next reminder, in UTC, strictly after `now`; None when reminders are off.

    The reminder falls at `reminder_minute` local time, or at the end of the quiet hours when that
    minute is inside them (a reminder set for 23:00 comes at 08:00: the user asked for a reminder,
    and the morning is the first polite moment for it). Daylight saving time follows zoneinfo: a
    local time skipped by a jump forward comes at the same instant shifted by the jump (02:30 ->
    03:30), and a local time that happens twice comes only the first time.

    Args:
        now: The current time, timezone-aware.
        timezone: A stored time zone name (see `parse_timezone`).
        reminder_minute: The local minute of the day, or None for no reminders.
        quiet_hours: Local minutes [start, end) when nothing is sent, or None for none.

    Returns:
        An aware UTC datetime after `now`, or None.

    Raises:
        ValueError: If `now` is naive or the minute is not 0..1439.
        InvalidTimezone: If `timezone` is not a stored time zone name.
    """
    now = as_utc(now)
    if reminder_minute is None:
        return None
    minute = effective_reminder_minute(reminder_minute, quiet_hours)
    return _next_local_minute(now, tzinfo_for(timezone), minute)


def local_day(now: datetime, timezone: str) -> date:
    """The user's calendar day at `now`."""
    return as_utc(now).astimezone(tzinfo_for(timezone)).date()


def snooze_until(*, now: datetime, timezone: str, quiet_hours: tuple[int, int] | None = QUIET_HOURS) -> datetime:
    """When a snoozed reminder comes back: in an hour, or at the end of the quiet hours if that is later."""
    zone = tzinfo_for(timezone)
    later = as_utc(now) + SNOOZE
    if quiet_hours is None or not in_quiet_hours(_minute_of_day(later, zone), quiet_hours):
        return later
    return _next_local_minute(later, zone, quiet_hours[1])


def decide_reminder(
    *,
    now: datetime,
    timezone: str,
    reviews_due: int,
    daily_quiz_done: bool,
    ignored_reminders: int,
    quiet_hours: tuple[int, int] | None = QUIET_HOURS,
) -> ReminderAction:
    """What to do for a user whose reminder time has come.

    Skip when nothing waits (no reviews due and today's daily quiz done) or when it is quiet hours
    where the user lives (a sweep running late, say after downtime, must not wake anyone). Pause,
    telling the user once, when IGNORED_LIMIT reminders in a row went unanswered. Otherwise send.

    Args:
        now: The current time, timezone-aware.
        timezone: The user's stored time zone name.
        reviews_due: How many of the user's cards are due.
        daily_quiz_done: Whether the user finished the daily quiz of their local day.
        ignored_reminders: Reminders sent since the user last wrote to the bot.
        quiet_hours: Local minutes [start, end) when nothing is sent, or None for none.

    Returns:
        The action to take.
    """
    if in_quiet_hours(_minute_of_day(as_utc(now), tzinfo_for(timezone)), quiet_hours):
        return ReminderAction.SKIP
    if reviews_due <= 0 and daily_quiz_done:
        return ReminderAction.SKIP
    if ignored_reminders >= IGNORED_LIMIT:
        return ReminderAction.PAUSE
    return ReminderAction.SEND


def _next_local_minute(now: datetime, zone: tzinfo, minute: int) -> datetime:
    at = time(minute // 60, minute % 60)
    today = now.astimezone(zone).date()
    for days in range(3):  # today or tomorrow; a third day covers zones that once skipped a date
        candidate = datetime.combine(today + timedelta(days=days), at, tzinfo=zone).astimezone(UTC)
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: a local time recurs within three days")


def _offset_zone(text: str, sign: str, hours: str, minutes: str | None) -> str:
    if int(minutes or 0) not in (0, 15, 30, 45):
        raise InvalidTimezone(text, TimezoneProblem.OFFSET_MINUTES)
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    offset = -offset if sign == "-" else offset
    if not _MAX_WEST <= offset <= _MAX_EAST:
        raise InvalidTimezone(text, TimezoneProblem.OFFSET_OUT_OF_RANGE)
    total_minutes = int(offset.total_seconds()) // 60
    if total_minutes == 0:
        return "UTC"
    if total_minutes % 60 == 0:
        return f"Etc/GMT{-total_minutes // 60:+d}"  # IANA's Etc zones count westward: UTC+3 is Etc/GMT-3
    hours_part, minutes_part = divmod(abs(total_minutes), 60)
    return f"UTC{sign}{hours_part:02d}:{minutes_part:02d}"


@cache
def _zone_names() -> tuple[dict[str, str], dict[str, list[str]]]:
    # "localtime" is whatever the server is set to, and "Factory" means "unset": neither is a place.
    zones = sorted(available_timezones() - {"localtime", "Factory", "posixrules"})
    names = {zone.lower(): zone for zone in zones}
    cities: dict[str, list[str]] = {}
    for zone in zones:
        if "/" in zone and not zone.startswith("Etc/"):
            cities.setdefault(zone.rsplit("/", 1)[1].lower(), []).append(zone)
    return names, cities


def _suggestion(key: str) -> str | None:
    names, cities = _zone_names()
    close = difflib.get_close_matches(key, [*names, *cities], n=1, cutoff=0.75)
    if not close:
        return None
    return names.get(close[0]) or cities[close[0]][0]


def _clean(text: str) -> str:
    return text.translate(_INVISIBLE).strip()


def _minute_of_day(moment: datetime, zone: tzinfo) -> int:
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute


def _check_minute(minute: int) -> None:
    if not 0 <= minute < MINUTES_PER_DAY:
        raise ValueError(f"reminder minute {minute} is not a minute of the day (0..{MINUTES_PER_DAY - 1})")
