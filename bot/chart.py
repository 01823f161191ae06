"""The progress chart as a PNG: daily scores over the last 30 days and accuracy per category.

Drawn with matplotlib's object API (no pyplot, so no global figure state) and meant to run in a
worker thread. Text is drawn with the DejaVu Sans that ships inside matplotlib, which has Arabic
glyphs, so the chart looks the same on every machine. Matplotlib 3.11 and later lays text out with
libraqm, which shapes Arabic letters and orders right-to-left runs itself: labels go in as plain
logical text (reshaping them beforehand, as arabic-reshaper and python-bidi would, reverses them).
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.i18n import number, percent, short_date, t
from bot.progress import ChartData

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
BOLD = FONT.with_name("DejaVuSans-Bold.ttf")
RTL_LANGUAGES = frozenset({"ar"})

# Sized for a phone: 1080 x 1350 pixels, text no smaller than 13 pt at 150 dpi.
SIZE_INCHES = (7.2, 9.0)
DPI = 150
RIGHT, WRONG, GRID, INK = "#2e9d5b", "#e07a6e", "#d9d9d9", "#222222"


def _font(size: float, *, bold: bool = False) -> FontProperties:
    return FontProperties(fname=BOLD if bold else FONT, size=size)


def render_chart(language: str, chart: ChartData) -> bytes:
    """The progress chart in `language`, as PNG bytes."""
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, facecolor="white", layout=ConstrainedLayoutEngine(w_pad=0.2, h_pad=0.2))
    FigureCanvasAgg(figure)
    daily, categories = figure.subplots(2, 1, height_ratios=(3, 2))
    _draw_daily(daily, language, chart)
    _draw_categories(categories, language, chart)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _draw_daily(ax: Axes, language: str, chart: ChartData) -> None:
    positions = range(len(chart.days))
    right = [d.correct for d in chart.days]
    wrong = [d.answered - d.correct for d in chart.days]
    ax.bar(positions, right, color=RIGHT, label=t(language, "chart_right"), width=0.8)
    ax.bar(positions, wrong, bottom=right, color=WRONG, label=t(language, "chart_wrong"), width=0.8)
    ax.set_title(t(language, "chart_daily_title"), fontproperties=_font(17, bold=True), color=INK, pad=12)
    ticks = [i for i in positions if (len(chart.days) - 1 - i) % 7 == 0]  # every week, ending today
    ax.set_xticks(ticks, [short_date(language, chart.days[i].day) for i in ticks])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5, min_n_ticks=1))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number(language, int(value))))
    ax.set_ylim(0, max([d.answered for d in chart.days] + [4]) * 1.3)  # headroom for the legend
    ax.set_xlim(-0.7, len(chart.days) - 0.3)
    ax.grid(axis="y", color=GRID)
    ax.set_axisbelow(True)
    rtl = language in RTL_LANGUAGES
    handles, labels = ax.get_legend_handles_labels()
    if rtl:  # the first entry on the right
        handles, labels = handles[::-1], labels[::-1]
    legend = ax.legend(
        handles, labels, prop=_font(13), frameon=False, ncols=2, loc="upper left" if rtl else "upper right", markerfirst=not rtl
    )
    for text in legend.get_texts():
        text.set_color(INK)
    _style(ax, language)


def _draw_categories(ax: Axes, language: str, chart: ChartData) -> None:
    ordered = sorted(chart.by_category.items(), key=lambda item: t(language, f"category_{item[0]}"))
    names = [t(language, f"category_{category}") for category, _ in ordered]
    ratios = [acc.ratio or 0.0 for _, acc in ordered]
    rows = range(len(ordered))
    ax.barh(rows, [1.0] * len(ordered), color="#eeeeee", height=0.6)
    ax.barh(rows, ratios, color=RIGHT, height=0.6)
    align = "right" if language in RTL_LANGUAGES else "left"  # from where the bars start
    for row, (_, acc) in zip(rows, ordered):
        label = t(
            language,
            "chart_category_value",
            accuracy=percent(language, acc.ratio or 0.0),
            correct=acc.correct,
            answered=acc.answered,
        )
        ax.text(0.02, row, label, va="center", ha=align, fontproperties=_font(13), color=INK)
    ax.set_yticks(list(rows), names)
    ax.invert_yaxis()  # first category on top
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.5, 1], [percent(language, x) for x in (0, 0.5, 1)])
    ax.set_title(t(language, "chart_category_title"), fontproperties=_font(17, bold=True), color=INK, pad=12)
    _style(ax, language)


def _style(ax: Axes, language: str) -> None:
    """Fonts, spines and, for right-to-left languages, a mirrored layout: bars and time run leftwards."""
    if language in RTL_LANGUAGES:
        ax.invert_xaxis()
        ax.yaxis.tick_right()
    for tick in ax.xaxis.get_major_ticks() + ax.yaxis.get_major_ticks():
        for label in (tick.label1, tick.label2):
            label.set_fontproperties(_font(13))
            label.set_color(INK)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0, pad=6)
