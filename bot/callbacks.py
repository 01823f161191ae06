"""Callback data: the only shapes the bot puts on buttons, and a strict parser for what comes back.

Callback data comes from the client and may be forged; nothing here trusts it beyond its shape.
Who is tapping always comes from the update, never from the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


ACTIONS = frozenset({"quiz", "practice", "score", "review"})
_ANSWER = re.compile(r"a:([1-9][0-9]{0,9}):([0-9]{1,2}):([0-9])")
_ACTION = re.compile(r"do:([a-z]{1,16})")


def parse(data: str | None) -> AnswerTap | Action | None:
    """The button behind `data`, or None for anything the bot never sends."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    if match := _ANSWER.fullmatch(data):
        return AnswerTap(*(int(g) for g in match.groups()))
    if (match := _ACTION.fullmatch(data)) and match.group(1) in ACTIONS:
        return Action(match.group(1))
    return None
