"""Checks on question sets beyond the schema: faithful sources, sound options, Telegram's limits.

`check_sets(sets, articles)` returns every problem found, each with its file, question id and
reason; an empty list means the sets are fit to ship. The schema (questions.schema) has already
checked shapes; this module checks what needs the article, the other questions or the renderer.

Telegram limits, and the caps chosen here:

* Button text: Telegram accepts long button labels, but a phone shows an inline button on one row
  and cuts what does not fit with an ellipsis; an option that cannot be read is no option. We cap
  an option at BUTTON_TEXT_MAX = 64 characters in each language, about two lines of a phone
  screen at the default font, which keeps every option readable in full.
* Callback data: at most 64 bytes (Telegram's limit). An option's data is
  "a:<quiz id, up to 10 digits>:<position, up to 2 digits>:<option index, 1 digit>", so the
  worst case is measured for every question, and a question may have at most 10 options.
* Message: at most 4096 characters (Telegram's limit, after entities are parsed). We measure the
  longest message a question can produce in each language, the feedback message (header, prompt,
  options, verdict, answer, explanation and the source quote), HTML-escaped, plus a margin for the
  bot's own words (MESSAGE_OVERHEAD), so the check errs on the safe side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from learning.normalize import forms_match, has_arabic, normalize
from questions.schema import Question, QuestionSet, QuestionType, Text

BUTTON_TEXT_MAX = 64  # characters, per option and language (see the module docstring)
CALLBACK_DATA_MAX = 64  # bytes, Telegram's limit
MESSAGE_MAX = 4096  # characters, Telegram's limit
MESSAGE_OVERHEAD = 400  # characters for the header, hints and labels the bot adds around a question
QUIZ_ID_MAX_DIGITS = 10
POSITION_MAX_DIGITS = 2
MAX_OPTIONS = 10  # the option index is one digit
LANGUAGES = ("ar", "en")
UNTRANSLATED_MARK = "TODO"


@dataclass(frozen=True)
class Problem:
    """Something wrong with a question set: where, and why."""

    file: str
    question_id: str | None
    reason: str

    def __str__(self) -> str:
        where = f'{self.file}: question "{self.question_id}"' if self.question_id else self.file
        return f"{where}: {self.reason}"


def callback_data(quiz_id: int, position: int, option_index: int) -> str:
    """An option button's callback data, in the shape the bot renders it."""
    return f"a:{quiz_id}:{position}:{option_index}"


def worst_callback_bytes(option_count: int) -> int:
    """The longest callback data, in bytes, of a question with `option_count` buttons."""
    if option_count < 1:
        return 0
    data = callback_data(10**QUIZ_ID_MAX_DIGITS - 1, 10**POSITION_MAX_DIGITS - 1, option_count - 1)
    return len(data.encode("utf-8"))


def button_texts(question: Question) -> tuple[Text, ...]:
    """The options a question shows as buttons (true/false labels come from the bot's locale)."""
    return question.options()


def message_length(question: Question, language: str) -> int:
    """An upper bound on the characters of the longest message about `question` in `language`."""
    parts = [question.prompt.in_(language), question.explanation.in_(language), question.source]
    parts += [option.in_(language) for option in question.options()]
    if question.answer is not None:
        parts.append(question.answer.in_(language))
    return sum(len(escape(part)) + 1 for part in parts) + MESSAGE_OVERHEAD


def _texts(question: Question) -> list[tuple[str, Text]]:
    """Every bilingual field of a question, named."""
    named: list[tuple[str, Text]] = [("prompt", question.prompt), ("explanation", question.explanation)]
    if question.answer is not None:
        named.append(("answer", question.answer))
    named += [(f"distractors[{i}]", text) for i, text in enumerate(question.distractors)]
    return named


def _translation_problems(question: Question) -> list[str]:
    reasons = []
    for field, text in _texts(question):
        if UNTRANSLATED_MARK in text.ar or UNTRANSLATED_MARK in text.en:
            reasons.append(f"field {field}: still marked {UNTRANSLATED_MARK}")
        elif has_arabic(text.en):
            reasons.append(f"field {field}.en: the English translation is missing (Arabic script)")
        elif any(ch.isalpha() for ch in text.ar) and not has_arabic(text.ar):
            reasons.append(f"field {field}.ar: the Arabic text is missing (no Arabic script)")
    return reasons


def _option_problems(question: Question) -> list[str]:
    reasons = []
    if question.type is QuestionType.CHOICE:
        assert question.answer is not None
        right = [question.answer.ar, question.answer.en, *question.accepted]
        for i, distractor in enumerate(question.distractors):
            if any(forms_match(form, distractor.ar) or forms_match(form, distractor.en) for form in right):
                reasons.append(f"field distractors[{i}]: the answer is among the distractors")
        for language in LANGUAGES:
            seen: dict[str, int] = {}
            for i, option in enumerate(question.options()):
                key = normalize(option.in_(language))
                if key in seen:
                    reasons.append(f"options repeat in {language}: options {seen[key] + 1} and {i + 1}")
                seen.setdefault(key, i)
        if len(question.options()) > MAX_OPTIONS:
            reasons.append(f"more than {MAX_OPTIONS} options")
    if question.answer is not None:
        # The typed grader must accept the answer as written, in both languages and every form.
        for form in (question.answer.ar, question.answer.en, *question.accepted):
            if not normalize(form):
                reasons.append(f"field accepted: {form!r} has nothing left to compare once normalised")
    return reasons


def _limit_problems(question: Question) -> list[str]:
    reasons = []
    for i, option in enumerate(question.options()):
        for language in LANGUAGES:
            length = len(option.in_(language))
            if length > BUTTON_TEXT_MAX:
                reasons.append(
                    f"option {i + 1} ({language}) is {length} characters; buttons are capped at {BUTTON_TEXT_MAX}"
                )
    size = worst_callback_bytes(len(question.options()) or 2)
    if size > CALLBACK_DATA_MAX:
        reasons.append(f"callback data may reach {size} bytes; Telegram allows {CALLBACK_DATA_MAX}")
    for language in LANGUAGES:
        length = message_length(question, language)
        if length > MESSAGE_MAX:
            reasons.append(f"the {language} message may reach {length} characters; Telegram allows {MESSAGE_MAX}")
    return reasons


def check_question(question: Question, article: str | None) -> list[str]:
    """The reasons one question is unfit (empty if it is fine)."""
    reasons = []
    if article is not None and question.source not in article:
        reasons.append("field source: the sentence is not in the article verbatim")
    reasons += _translation_problems(question)
    reasons += _option_problems(question)
    reasons += _limit_problems(question)
    return reasons


def check_sets(sets: Sequence[QuestionSet], articles: Mapping[str, str]) -> list[Problem]:
    """Every problem in `sets`; `articles` maps an article's file name to its text."""
    problems: list[Problem] = []
    first_file: dict[str, str] = {}
    set_ids: dict[str, str] = {}
    for question_set in sets:
        file = question_set.file
        if question_set.id in set_ids:
            problems.append(Problem(file, None, f'the set id "{question_set.id}" repeats ({set_ids[question_set.id]})'))
        set_ids.setdefault(question_set.id, file)
        article = articles.get(question_set.article)
        if article is None:
            problems.append(Problem(file, None, f"field article: no article named {question_set.article!r}"))
        for question in question_set.questions:
            if question.id in first_file:
                problems.append(
                    Problem(file, question.id, f"field id: the id repeats (first in {first_file[question.id]})")
                )
            first_file.setdefault(question.id, file)
            problems += [Problem(file, question.id, reason) for reason in check_question(question, article)]
    return problems
