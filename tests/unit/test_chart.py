"""The progress chart: a PNG a phone shows well, with Arabic shaped and laid out right to left."""

import struct
from datetime import date, timedelta

import pytest
from matplotlib.font_manager import get_font
from matplotlib.textpath import TextToPath

from bot.chart import BOLD, FONT, render_chart
from bot.progress import ChartData
from learning.progress import DayScore
from learning.stats import Accuracy

TODAY = date(2026, 3, 10)
DAYS = [DayScore(TODAY - timedelta(days=29 - i), i % 4, (i % 4) + (i % 3)) for i in range(30)]
CATEGORIES = {"dates": Accuracy(3, 5), "places": Accuracy(4, 4), "quotes": Accuracy(0, 2)}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header; fails on anything that isn't a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_chart_is_a_phone_sized_png(language: str) -> None:
    data = render_chart(language, ChartData(DAYS, CATEGORIES))
    assert png_size(data) == (1080, 1350)
    assert 20_000 < len(data) < 400_000
    assert data.endswith(b"IEND\xaeB`\x82")


def test_a_chart_with_a_single_category_and_quiet_days_still_draws() -> None:
    quiet = [DayScore(d.day) for d in DAYS[:-1]] + [DayScore(TODAY, 1, 1)]
    assert png_size(render_chart("ar", ChartData(quiet, {"numbers": Accuracy(1, 1)}))) == (1080, 1350)


def glyphs(text: str, fontfile: str = str(FONT)) -> list[tuple[str, float]]:
    """The glyphs matplotlib draws for `text`, with their x positions."""
    font = get_font(fontfile)
    font.set_size(12, 72)
    laid_out, _, _ = TextToPath().get_glyphs_with_font(font, text)
    return [(glyph_id, x) for glyph_id, x, _, _ in laid_out]


@pytest.mark.parametrize("fontfile", [str(FONT), str(BOLD)])
def test_arabic_words_run_right_to_left(fontfile: str) -> None:
    font = get_font(fontfile)
    ba, ta = (f"{font.postscript_name}-{font.get_char_index(ord(c)):x}" for c in "بت")
    x = dict(glyphs("ب ت", fontfile))  # isolated letters: the first written is drawn rightmost
    assert x[ba] > x[ta]


def test_arabic_letters_are_joined() -> None:
    font = get_font(str(FONT))
    isolated = {f"{font.postscript_name}-{font.get_char_index(ord(c)):x}" for c in "بت"}
    assert not isolated & {glyph for glyph, _ in glyphs("بت")}  # joined forms, not the isolated ones
