"""The progress buttons' callback data: what the bot sends parses back, nothing else does."""

import pytest

from bot.callbacks import MAX_BYTES, LanguageChoice, PastQuizTap, ProgressAction, parse


@pytest.mark.parametrize(
    "tap",
    [PastQuizTap(1), PastQuizTap(9_999_999_999), LanguageChoice("ar"), LanguageChoice("en"), ProgressAction("drill")],
)
def test_every_progress_button_parses_back_to_itself(tap: PastQuizTap | LanguageChoice | ProgressAction) -> None:
    assert len(tap.data().encode()) <= MAX_BYTES
    assert parse(tap.data()) == tap


@pytest.mark.parametrize(
    "data",
    ["h:0", "h:-1", "h:01", "h:12345678901", "h:1:2", "lang:fr", "lang:EN", "lang:", "pg:drop", "pg:", "pg:chart "],
)
def test_shapes_the_bot_never_sends_are_refused(data: str) -> None:
    assert parse(data) is None
