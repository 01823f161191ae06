"""Wording that reads right: time zones as users know them, quiet hours said up front, Arabic that
Telegram lays out right to left with tappable commands, and counts that read right for any number."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot import rendering
from bot.i18n import catalog
from bot.reminding import ReminderSettings

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


def settings(timezone: str, minute: int | None, language: str = "en") -> ReminderSettings:
    return ReminderSettings(language=language, timezone=timezone, reminder_minute=minute, next_at=None, local_now=NOW)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Etc/GMT-3", "UTC+3"),
        ("Etc/GMT+5", "UTC\u22125"),
        ("Etc/GMT-14", "UTC+14"),
        ("Etc/GMT+12", "UTC\u221212"),
        ("Etc/GMT-0", "UTC"),
        ("UTC+05:30", "UTC+05:30"),
        ("UTC-03:30", "UTC\u221203:30"),
        ("UTC", "UTC"),
        ("Asia/Baghdad", "Asia/Baghdad"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_time_zones_are_shown_as_offsets_from_utc_or_by_their_names(stored: str, shown: str) -> None:
    assert rendering.display_timezone(stored) == shown


def test_arabic_speakers_see_zones_by_their_cities_in_arabic_and_the_buttons_mean_the_same() -> None:
    assert rendering.display_timezone("Asia/Baghdad", "ar") == "بغداد"
    assert rendering.display_timezone("Asia/Baghdad", "en") == "Asia/Baghdad"
    assert rendering.display_timezone("Etc/GMT-3", "ar") == "UTC+3"
    assert "بغداد" in rendering.timezone_settings("ar", settings("Asia/Baghdad", 20 * 60, "ar"), changed=True).text
    arabic, english = (rendering.timezone_question(language).buttons for language in ("ar", "en"))
    assert arabic is not None and english is not None
    labels = [button.text for row in arabic.inline_keyboard for button in row]
    assert "بغداد" in labels and "القاهرة" in labels and not any("/" in label for label in labels)
    data = [[button.callback_data for button in row] for row in arabic.inline_keyboard]
    assert data == [[button.callback_data for button in row] for row in english.inline_keyboard]


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_settings_messages_show_offsets_the_way_users_count_them(language: str) -> None:
    texts = [
        rendering.timezone_settings(language, settings("Etc/GMT-3", 20 * 60, language), changed=True).text,
        rendering.timezone_settings(language, settings("Etc/GMT-3", 20 * 60, language)).text,
        rendering.reminder_settings(language, settings("Etc/GMT-3", 20 * 60, language), changed=True).text,
        rendering.reminder_settings(language, settings("Etc/GMT-3", 20 * 60, language)).text,
    ]
    assert all("UTC+3" in text and "GMT" not in text for text in texts), texts


@pytest.mark.parametrize("changed", [True, False])
@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_reminder_time_in_quiet_hours_is_stated_as_the_time_it_really_comes(language: str, changed: bool) -> None:
    text = rendering.reminder_settings(language, settings("Asia/Baghdad", 23 * 60, language), changed=changed).text
    first, *rest = text.split("\n")
    assert "08:00" in first and "23:00" not in first  # the real time first, never the asked one as if it held
    assert any("23:00" in line for line in rest)  # then why: the asked time is in quiet hours


def test_a_reminder_outside_quiet_hours_is_stated_once() -> None:
    text = rendering.reminder_settings("en", settings("Asia/Baghdad", 18 * 60 + 30), changed=True).text
    assert "every day at 18:30 (Asia/Baghdad)" in text and "quiet" not in text


def words(text: str) -> set[str]:
    return set(re.findall(r"[\u0621-\u064a\u064b-\u0652]+", text))


def test_arabic_true_and_false_share_no_word_with_right_and_wrong() -> None:
    ar = catalog("ar")
    labels = words(ar["option_true"]) | words(ar["option_false"])
    verdicts = words(ar["notice_right"]) | words(ar["notice_wrong"]) | words(ar["feedback_right"]) | words(ar["feedback_wrong"])
    assert ar["option_true"] != ar["option_false"]
    assert labels & verdicts == set()


def arabic_lines() -> list[tuple[str, str]]:
    return [
        (key, line)
        for key, text in catalog("ar").items()
        if not key.startswith("admin_")  # the admin's commands are laid out left to right on purpose
        for line in text.split("\n")
    ]


def test_no_arabic_command_is_glued_to_a_letter() -> None:
    """Telegram only makes "/command" tappable when the slash doesn't follow a letter or digit."""
    assert [(key, line) for key, line in arabic_lines() if re.search(r"\w/[a-z]", line)] == []


def test_every_arabic_line_starts_with_arabic_so_it_runs_right_to_left() -> None:
    """A line's direction comes from its first strong letter: an Arabic line must not start with Latin."""
    offenders = []
    for key, line in arabic_lines():
        letters = [c for c in re.sub(r"\{\w+\}", "", line) if c.isalpha()]
        if any(ARABIC_LETTER.match(c) for c in letters) and not ARABIC_LETTER.match(letters[0]):
            offenders.append((key, line))
    assert offenders == []


@pytest.mark.parametrize("language", ["ar", "en"])
def test_help_lists_every_command_a_learner_uses(language: str) -> None:
    text = rendering.help_text(language, 5).text
    for command in set(rendering.COMMANDS) - {"help"}:
        assert f"/{command}" in text, command


@pytest.mark.parametrize("length", [1, 2, 3, 11, 20])
def test_counts_read_right_for_any_number(length: int) -> None:
    plural_after_count = {
        "en": re.compile(r"\{\w+\} (questions|times|users|answers)"),
        "ar": re.compile(r"\{\w+\} (أسئلة|محاولة|محاولات|مستخدم|من الأسئلة|سؤال)"),
    }
    for language, pattern in plural_after_count.items():
        assert [key for key, text in catalog(language).items() if pattern.search(text)] == []
        assert str(length) in rendering.help_text(language, length).text


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_end_of_a_review_promises_no_reminder(language: str) -> None:
    assert not re.search(r"remind|أذكّرك|سأذكرك|تذكير", catalog(language)["review_done"])


def test_arabic_messages_offer_the_arabic_word_to_stop_reminders() -> None:
    assert [key for key, text in catalog("ar").items() if "/remind off" in text] == []
