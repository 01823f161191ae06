"""How things look in the chat: every message's text and buttons, in the user's language.

Telegram HTML parse mode; everything that comes from data is escaped here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, AnswerTap, ZoneChoice
from bot.i18n import t
from bot.reminding import COMMON_TIMEZONES, ReminderSettings
from bot.service import AnswerOutcome, AskedQuestion, NothingDue, QuizResult
from learning.place_names import ARABIC_CITY
from learning.reminders import InvalidTimezone, effective_reminder_minute
from learning.quiz import QuizKind
from questions.schema import Question, QuestionType

COMMANDS = (
    "start", "quiz", "review", "score", "chart", "history", "mistakes", "remind", "timezone", "language", "export",
    "forget", "help",
)


@dataclass(frozen=True)
class Reply:
    """A message to send or an edit to make."""

    text: str
    buttons: InlineKeyboardMarkup | None = None


def bot_commands(language: str) -> list[BotCommand]:
    """The command menu in one language."""
    return [BotCommand(name, t(language, f"command_{name}")) for name in COMMANDS]


def welcome(language: str, first_name: str) -> Reply:
    """The /start message."""
    return Reply(t(language, "welcome", name=escape(first_name)))


def help_text(language: str, quiz_length: int) -> Reply:
    """The /help message."""
    return Reply(t(language, "help", length=quiz_length))


def use_the_buttons(language: str) -> Reply:
    """Text sent while the question on screen takes a tap."""
    return Reply(t(language, "use_the_buttons"))


def fallback(language: str) -> Reply:
    """The answer to text or commands the bot doesn't know."""
    return Reply(t(language, "fallback"))


def apology(language: str) -> str:
    """What the user reads when something broke on our side."""
    return t(language, "error_apology")


def database_busy(language: str) -> str:
    """What the user reads when the database could not be reached: nothing was saved, try again."""
    return t(language, "database_busy")


def flood_notice(language: str) -> str:
    """Said once to a user sending too much at once, before their extra updates are skipped."""
    return t(language, "flood_notice")


def _category(language: str, question: Question) -> str:
    return t(language, f"category_{question.category.value}")


def _option_labels(language: str, question: Question, option_order: tuple[int, ...]) -> list[str]:
    if question.type is QuestionType.TRUE_FALSE:
        labels = {0: t(language, "option_false"), 1: t(language, "option_true")}
        return [labels[i] for i in option_order]
    options = question.options()
    return [options[i].in_(language) for i in option_order]


def _header(language: str, asked_kind: str, position: int, total: int, question: Question) -> str:
    key = {QuizKind.PRACTICE: "practice_header", QuizKind.REVIEW: "review_header"}.get(asked_kind, "question_header")
    return "<b>" + escape(t(language, key, position=position + 1, total=total, category=_category(language, question))) + "</b>"


def question(language: str, asked: AskedQuestion) -> Reply:
    """A question with its options as buttons, or a prompt to type the answer."""
    q = asked.question
    lines = [_header(language, asked.kind, asked.position, asked.total, q), "", escape(q.prompt.in_(language))]
    if q.type is QuestionType.TYPED:
        return Reply("\n".join([*lines, "", t(language, "typed_hint")]))
    if q.type is QuestionType.TRUE_FALSE:
        lines += ["", t(language, "true_false_hint")]
    labels = _option_labels(language, q, asked.option_order)
    rows = [
        [InlineKeyboardButton(label, callback_data=AnswerTap(asked.quiz_id, asked.position, shown).data())]
        for shown, label in enumerate(labels)
    ]
    if q.type is QuestionType.TRUE_FALSE:
        rows = [[row[0] for row in rows]]  # True | False side by side
    return Reply("\n".join(lines), InlineKeyboardMarkup(rows))


def correct_answer(language: str, question: Question) -> str:
    """The right answer, as the user should read it."""
    if question.type is QuestionType.TRUE_FALSE:
        return t(language, "option_true" if question.truth else "option_false")
    assert question.answer is not None
    return question.answer.in_(language)


def given_answer(language: str, question: Question, option_order: tuple[int, ...], response: str) -> str:
    """What the user answered, as they saw it: the label of the option tapped, or the text typed."""
    if question.type is QuestionType.TYPED:
        return response
    return _option_labels(language, question, option_order)[int(response)]


def feedback(language: str, kind: str, outcome: AnswerOutcome) -> Reply:
    """The question once answered: right or wrong, the answer, why, and the article's sentence."""
    q = outcome.question
    assert q is not None and outcome.correct is not None
    lines = [_header(language, kind, outcome.position, outcome.total, q), "", escape(q.prompt.in_(language)), ""]
    lines.append(t(language, "feedback_right" if outcome.correct else "feedback_wrong"))
    if q.type is QuestionType.TYPED and outcome.response is not None:
        lines.append(escape(t(language, "feedback_you_wrote", response=outcome.response[:200])))
    lines.append(escape(t(language, "feedback_answer", answer="\x00")).replace("\x00", f"<b>{escape(correct_answer(language, q))}</b>"))
    lines.append(f"<i>{escape(q.explanation.in_(language))}</i>")
    lines += ["", escape(t(language, "feedback_source")), f"<blockquote>{escape(q.source)}</blockquote>"]
    return Reply("\n".join(lines))


def notice(language: str, outcome: AnswerOutcome) -> str:
    """The short text shown on the tapped button's popup."""
    if outcome.correct is not None:
        return t(language, "notice_right" if outcome.correct else "notice_wrong")
    return t(language, f"notice_{outcome.status.value}")


def quiz_done(language: str, result: QuizResult) -> Reply:
    """The score at the end of a quiz, and what to do next."""
    key = {QuizKind.DAILY: "daily_done", QuizKind.REVIEW: "review_done"}.get(result.kind, "practice_done")
    return Reply(t(language, key, correct=result.correct, total=result.total), _next_steps(language))


def daily_already_done(language: str, result: QuizResult) -> Reply:
    """/quiz after today's quiz is finished."""
    return Reply(t(language, "daily_already_done", correct=result.correct, total=result.total), _next_steps(language))


def nothing_new(language: str) -> Reply:
    """/quiz on a day with nothing due and no new question left."""
    return Reply(t(language, "nothing_new"), _next_steps(language))


def nothing_due(language: str, nothing: NothingDue) -> Reply:
    """/review with nothing due, or today's review limit reached."""
    return Reply(t(language, "review_limit" if nothing.limit_reached else "review_nothing_due"))


def _next_steps(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[
            InlineKeyboardButton(t(language, "button_practice"), callback_data=Action("practice").data()),
            InlineKeyboardButton(t(language, "button_score"), callback_data=Action("score").data()),
        ]]
    )


def _clock_time(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _zone_buttons(language: str) -> InlineKeyboardMarkup:
    names = [
        InlineKeyboardButton(display_timezone(zone, language), callback_data=ZoneChoice(i).data())
        for i, zone in enumerate(COMMON_TIMEZONES)
    ]
    return InlineKeyboardMarkup([names[i : i + 2] for i in range(0, len(names), 2)])


_MINUS = "\u2212"  # a minus sign, not a hyphen: "UTC−5"


def display_timezone(name: str, language: str = "en") -> str:
    """A time zone as users count it: by its city's Arabic name in Arabic when it has one, IANA
    names as they are otherwise, offsets as "UTC+3".

    Whole-hour offsets are stored as IANA's "Etc/GMT-3", whose sign is inverted (it is UTC+3);
    others as "UTC+05:30". West of UTC is written with a minus sign (−), as in "UTC−5".
    """
    if language == "ar" and name in ARABIC_CITY:
        return ARABIC_CITY[name]
    etc = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", name)
    if etc:
        sign, hours = etc.groups()
        return f"UTC{'+' if sign == '-' else _MINUS}{int(hours)}" if int(hours) else "UTC"
    fixed = re.fullmatch(r"UTC-(\d\d:\d\d)", name)
    return f"UTC{_MINUS}{fixed.group(1)}" if fixed else name


def reminder_settings(language: str, settings: ReminderSettings, *, changed: bool = False) -> Reply:
    """/remind: the reminder time, or that reminders are off, and how to change it.

    A time in the quiet hours is stated as the time the reminder really comes, then why.
    """
    zone = escape(display_timezone(settings.timezone, language))
    if settings.reminder_minute is None:
        return Reply(t(language, "remind_off" if changed else "remind_status_off"))
    effective = effective_reminder_minute(settings.reminder_minute)
    lines = [t(language, "remind_set" if changed else "remind_status_on", time=_clock_time(effective), timezone=zone)]
    if effective != settings.reminder_minute:
        lines.append(t(language, "remind_quiet_hours", time=_clock_time(effective), requested=_clock_time(settings.reminder_minute)))
    return Reply("\n".join(lines))


def reminder_time_invalid(language: str) -> Reply:
    """/remind with something that isn't a time."""
    return Reply(t(language, "remind_invalid"))


def timezone_settings(language: str, settings: ReminderSettings, *, changed: bool = False) -> Reply:
    """/timezone: the zone and its local time, with buttons for common zones."""
    key = "timezone_set" if changed else "timezone_status"
    text = t(language, key, timezone=escape(display_timezone(settings.timezone, language)), local_time=settings.local_now.strftime("%H:%M"))
    return Reply(text, None if changed else _zone_buttons(language))


def timezone_invalid(language: str, error: InvalidTimezone) -> Reply:
    """/timezone with something that isn't a time zone."""
    lines = [t(language, "timezone_invalid", text=escape(error.text[:64]))]
    if error.suggestion:
        lines.append(t(language, "timezone_suggestion", suggestion=escape(display_timezone(error.suggestion, language))))
    return Reply("\n".join(lines), _zone_buttons(language))


def timezone_question(language: str) -> Reply:
    """The one time the bot asks for the user's time zone."""
    return Reply(t(language, "timezone_ask"), _zone_buttons(language))


def reminder(language: str, due: int, daily_done: bool) -> Reply:
    """The daily reminder, with "start" and "snooze" buttons."""
    text = t(language, "reminder_reviews", count=due) if daily_done else t(language, "reminder_quiz")
    start = Action("review" if daily_done else "quiz")
    return Reply(
        text,
        InlineKeyboardMarkup([[
            InlineKeyboardButton(t(language, "button_start"), callback_data=start.data()),
            InlineKeyboardButton(t(language, "button_snooze"), callback_data=Action("snooze").data()),
        ]]),
    )


def reminders_paused(language: str) -> Reply:
    """Said once, when reminders pause after going unanswered."""
    return Reply(t(language, "reminders_paused"))


def snoozed(language: str, settings: ReminderSettings) -> str:
    """The popup after "snooze"."""
    at = settings.next_at.astimezone(settings.local_now.tzinfo).strftime("%H:%M") if settings.next_at else "—"
    return t(language, "snoozed", time=at)
