"""Callback data: the only shapes the bot puts on buttons, and a strict parser for what comes back.

Callback data comes from the client and may be forged; nothing here trusts it beyond its shape.
Who is tapping always comes from the update, never from the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.i18n import LANGUAGES

MAX_BYTES = 64  # Telegram's limit for callback_data


@dataclass(frozen=True)
class AnswerTap:
    """An option button of a quiz question."""

    quiz_id: int
    position: int
    shown: int

    def data(self) -> str:
        """The button's callback data."""
        return f"a:{self.quiz_id}:{self.position}:{self.shown}"


@dataclass(frozen=True)
class Action:
    """A button that runs a command: start the quiz, a practice round, the score."""

    name: str

    def data(self) -> str:
        """The button's callback data."""
        return f"do:{self.name}"


@dataclass(frozen=True)
class ZoneChoice:
    """A time zone button: an index into the offered list."""

    index: int

    def data(self) -> str:
        """The button's callback data."""
        return f"tz:{self.index}"


@dataclass(frozen=True)
class PastQuizTap:
    """A quiz in the history list: show its questions and answers."""

    quiz_id: int

    def data(self) -> str:
        """The button's callback data."""
        return f"h:{self.quiz_id}"


@dataclass(frozen=True)
class LanguageChoice:
    """A language button of /language."""

    language: str

    def data(self) -> str:
        """The button's callback data."""
        return f"lang:{self.language}"


@dataclass(frozen=True)
class ProgressAction:
    """A button of the progress pages: chart, history, mistakes, practising them, forgetting or not."""

    name: str

    def data(self) -> str:
        """The button's callback data."""
        return f"pg:{self.name}"


ACTIONS = frozenset({"quiz", "practice", "score", "review", "snooze"})
PROGRESS_ACTIONS = frozenset({"chart", "history", "mistakes", "drill", "forget", "keep"})
_ANSWER = re.compile(r"a:([1-9][0-9]{0,9}):([0-9]{1,2}):([0-9])")
_ACTION = re.compile(r"do:([a-z]{1,16})")
_ZONE = re.compile(r"tz:([0-9])")
_PAST_QUIZ = re.compile(r"h:([1-9][0-9]{0,9})")
_LANGUAGE = re.compile(r"lang:([a-z]{2})")
_PROGRESS = re.compile(r"pg:([a-z]{1,16})")


Tap = AnswerTap | Action | ZoneChoice | PastQuizTap | LanguageChoice | ProgressAction


def parse(data: str | None, zones: int = 0) -> Tap | None:
    """The button behind `data`, or None for anything the bot never sends (`zones`: time zones offered)."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    if match := _ANSWER.fullmatch(data):
        return AnswerTap(*(int(g) for g in match.groups()))
    if (match := _ACTION.fullmatch(data)) and match.group(1) in ACTIONS:
        return Action(match.group(1))
    if (match := _ZONE.fullmatch(data)) and int(match.group(1)) < zones:
        return ZoneChoice(int(match.group(1)))
    if match := _PAST_QUIZ.fullmatch(data):
        return PastQuizTap(int(match.group(1)))
    if (match := _LANGUAGE.fullmatch(data)) and match.group(1) in LANGUAGES:
        return LanguageChoice(match.group(1))
    if (match := _PROGRESS.fullmatch(data)) and match.group(1) in PROGRESS_ACTIONS:
        return ProgressAction(match.group(1))
    return None
