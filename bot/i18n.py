"""Message catalogs: every user-facing string, in Arabic and English, from gettext .po files."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_skeleton
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LOCALES = Path(__file__).with_name("locales")
LANGUAGES = ("ar", "en")
DEFAULT_LANGUAGE = "ar"


def language_for(language_code: str | None) -> str:
    """The bot's language for a Telegram language_code: English for en-*, Arabic for anything else."""
    return "en" if language_code and language_code.lower().split("-")[0] == "en" else DEFAULT_LANGUAGE


@cache
def catalog(language: str) -> dict[str, str]:
    """The messages of one language, by id."""
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        parsed = read_po(po, locale=language)
    return {str(m.id): str(m.string) for m in parsed if m.id and m.string}


def t(language: str, key: str, /, **values: object) -> str:
    """The message `key` in `language`, with its {placeholders} filled in."""
    messages = catalog(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    return messages[key].format(**values)


def percent(language: str, ratio: float) -> str:
    """A share as a percentage, written the way the language writes it."""
    return format_percent(ratio, locale=language)


def number(language: str, value: float) -> str:
    """A number written the way the language writes it."""
    return format_decimal(value, locale=language)


def short_date(language: str, day: date) -> str:
    """A day and month, written the way the language writes them ("Mar 10", "10 مارس")."""
    return format_skeleton("MMMd", day, locale=language)
