"""How the progress pages look: the score page, history, mistakes, language, export and forgetting.

Telegram HTML parse mode; everything that comes from data is escaped here.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import LanguageChoice, PastQuizTap, ProgressAction
from bot.i18n import LANGUAGES, percent, short_date, t
from bot.progress import MissedQuestion, PastQuiz, ProgressPage
from bot.rendering import Reply, correct_answer, given_answer
from db.progress import QuizSummary
from learning.stats import Accuracy

BAR_CELLS = 10
MAX_TEXT = 4096  # Telegram's limit for a message


def bar(ratio: float) -> str:
    """A share as a text bar of BAR_CELLS cells."""
    filled = round(ratio * BAR_CELLS)
    return "▰" * filled + "▱" * (BAR_CELLS - filled)


def _line(language: str, key: str, **values: object) -> str:
    return escape(t(language, key, **values))


def _accuracy_line(language: str, key: str, accuracy: Accuracy) -> str:
    assert accuracy.ratio is not None
    return _line(language, key, answered=accuracy.answered, accuracy=percent(language, accuracy.ratio))


def progress_page(language: str, page: ProgressPage) -> Reply:
    """The /score page."""
    report, today = page.report, page.today
    lines = [f"<b>{_line(language, 'score_title')}</b>", ""]
    if today is None:
        lines.append(_line(language, "score_today_none"))
    elif today.finished:
        lines.append(_line(language, "score_today_done", correct=today.correct, total=today.total))
    else:
        lines.append(_line(language, "score_today_open", answered=today.answered, total=today.total))
    lines.append(_line(language, "score_streak", days=report.streak))
    if report.best_streak > report.streak:
        lines.append(_line(language, "score_best_streak", days=report.best_streak))
    lines.append("")
    if report.overall.ratio is None:
        lines.append(_line(language, "score_no_answers"))
        return Reply("\n".join(lines))
    lines.append(_accuracy_line(language, "score_all_time", report.overall))
    if report.recent.ratio is None:
        lines.append(_line(language, "score_last_week_none"))
    else:
        lines.append(_accuracy_line(language, "score_last_week", report.recent))
    lines += ["", _line(language, "score_by_category")]
    named = sorted((t(language, f"category_{c}"), acc) for c, acc in report.by_category.items())
    for name, acc in named:
        assert acc.ratio is not None
        lines.append(
            _line(
                language,
                "score_category_bar",
                category=name,
                bar=bar(acc.ratio),
                accuracy=percent(language, acc.ratio),
                correct=acc.correct,
                answered=acc.answered,
            )
        )
    mastery = report.mastery
    lines += [
        "",
        _line(
            language,
            "score_mastery",
            mastered=mastery.mastered,
            total=mastery.total,
            share=percent(language, mastery.ratio or 0.0),
        ),
        f"<i>{_line(language, 'score_mastery_hint')}</i>",
        _line(language, "score_due_soon", count=report.due_soon),
    ]
    return Reply("\n".join(lines), _progress_buttons(language))


def _progress_buttons(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[
            InlineKeyboardButton(t(language, f"button_{name}"), callback_data=ProgressAction(name).data())
            for name in ("chart", "history", "mistakes")
        ]]
    )


def chart_caption(language: str) -> str:
    """The caption under the progress chart."""
    return _line(language, "chart_caption")


def chart_empty(language: str) -> Reply:
    """/chart before any answer."""
    return Reply(_line(language, "chart_empty"))


def _kind(language: str, kind: str) -> str:
    return t(language, f"kind_{kind}")


def history(language: str, quizzes: list[QuizSummary]) -> Reply:
    """/history: the latest quizzes, one button each."""
    if not quizzes:
        return Reply(_line(language, "history_empty"))
    rows = [
        [
            InlineKeyboardButton(
                t(
                    language,
                    "history_button" if quiz.finished else "history_button_open",
                    date=short_date(language, quiz.day),
                    kind=_kind(language, quiz.kind),
                    correct=quiz.correct,
                    total=quiz.total,
                ),
                callback_data=PastQuizTap(quiz.id).data(),
            )
        ]
        for quiz in quizzes
    ]
    return Reply(_line(language, "history_title"), InlineKeyboardMarkup(rows))


def past_quiz(language: str, past: PastQuiz) -> Reply:
    """One past quiz: each question, the user's answer and the right one."""
    summary = past.summary
    title = _line(
        language,
        "past_quiz_title",
        kind=_kind(language, summary.kind),
        date=short_date(language, summary.day),
        correct=summary.correct,
        total=summary.total,
    )
    blocks = []
    for number, reviewed in enumerate(past.questions, start=1):
        q, record = reviewed.question, reviewed.record
        mark = "⏳" if record.correct is None else "✅" if record.correct else "❌"
        block = [f"{number}. {mark} {escape(q.prompt.in_(language))}"]
        if record.response is None:
            block.append(_line(language, "past_not_answered"))
        else:
            answer = given_answer(language, q, record.option_order, record.response)
            block.append(_line(language, "past_your_answer", answer=answer))
        if not record.correct:
            block.append(_bold_value(language, "past_right_answer", correct_answer(language, q)))
        blocks.append("\n".join(block))
    back = InlineKeyboardButton(t(language, "button_all_quizzes"), callback_data=ProgressAction("history").data())
    return Reply(_fit(language, f"<b>{title}</b>", blocks), InlineKeyboardMarkup([[back]]))


def mistakes(language: str, missed: list[MissedQuestion]) -> Reply:
    """/mistakes: the questions missed most, with the answer and the article's sentence."""
    if not missed:
        return Reply(_line(language, "mistakes_none"))
    blocks = [
        "\n".join(
            [
                f"{number}. {escape(m.question.prompt.in_(language))}",
                _bold_value(language, "feedback_answer", correct_answer(language, m.question)),
                f"<i>{_line(language, 'mistakes_count', wrong=m.wrong, answered=m.answered)}</i>",
                f"<blockquote>{escape(m.question.source)}</blockquote>",
            ]
        )
        for number, m in enumerate(missed, start=1)
    ]
    drill = InlineKeyboardButton(t(language, "button_drill"), callback_data=ProgressAction("drill").data())
    return Reply(_fit(language, f"<b>{_line(language, 'mistakes_title')}</b>", blocks), InlineKeyboardMarkup([[drill]]))


def no_mistakes(language: str) -> str:
    """The popup for practising mistakes when there are none."""
    return t(language, "mistakes_none")


def _bold_value(language: str, key: str, answer: str) -> str:
    """A message whose {answer} is shown in bold."""
    return _line(language, key, answer="\x00").replace("\x00", f"<b>{escape(answer)}</b>")


def _fit(language: str, title: str, blocks: Iterable[str]) -> str:
    """The title and as many blocks as fit in one message, saying how many were left out."""
    blocks = list(blocks)
    text = title
    for shown, block in enumerate(blocks):
        more = "\n\n" + _line(language, "past_more", count=len(blocks) - shown)
        if len(text) + len(block) + 2 + len(more) > MAX_TEXT:
            return text + more
        text += "\n\n" + block
    return text


def language_picker(language: str) -> Reply:
    """/language: one button per language, each named in its own language."""
    buttons = [
        InlineKeyboardButton(t(choice, f"language_name_{choice}"), callback_data=LanguageChoice(choice).data())
        for choice in LANGUAGES
    ]
    return Reply(_line(language, "language_prompt"), InlineKeyboardMarkup([buttons]))


def language_set(language: str) -> Reply:
    """The language picker once a language is chosen."""
    return Reply(_line(language, "language_set"))


def export_caption(language: str) -> str:
    """The caption of the data export file."""
    return _line(language, "export_caption")


def forget_prompt(language: str) -> Reply:
    """/forget: what will be deleted, and a confirmation button."""
    buttons = [
        InlineKeyboardButton(t(language, "button_forget_yes"), callback_data=ProgressAction("forget").data()),
        InlineKeyboardButton(t(language, "button_forget_no"), callback_data=ProgressAction("keep").data()),
    ]
    return Reply(_line(language, "forget_prompt"), InlineKeyboardMarkup([[b] for b in buttons]))


def forget_answer(language: str, *, forgotten: bool) -> Reply:
    """The /forget prompt once answered: deleted, or kept."""
    return Reply(_line(language, "forget_done" if forgotten else "forget_kept"))


def no_such_quiz(language: str) -> str:
    """The popup for a history button that isn't one of the user's quizzes."""
    return t(language, "notice_no_such_quiz")
