"""The questions say what the article says, no more: time words are the report's, quotes are
verbatim, distractors are wholly wrong, and the wording reads naturally in both languages."""

from __future__ import annotations

import re

import pytest

from questions.bank import load_sets
from questions.schema import Question

ARTICLE = "000_7c3ce2b50505d2e6.txt"

# Time words relative to the day the report was written: a prompt that uses them must say they
# are the report's, or a learner reads them as today's news.
RELATIVE_TIME = {
    "ar": ("في وقت سابق من هذا العام", "هذا الأسبوع", "الأسبوع الماضي", "الأسابيع المقبلة", "الأشهر الأخيرة"),
    "en": ("earlier this year", "this week", "last week", "coming weeks", "recent months"),
}
ATTRIBUTION = {"ar": ("بحسب التقرير", "يقول التقرير"), "en": ("according to the report", "the report says")}


@pytest.fixture(scope="module")
def questions() -> dict[str, Question]:
    return {q.id: q for s in load_sets() if s.article == ARTICLE for q in s.questions}


def _texts(question: Question) -> list[str]:
    """Every text of a question a learner reads, but the article's own sentence."""
    texts = [question.prompt.ar, question.prompt.en, question.explanation.ar, question.explanation.en]
    if question.answer is not None:
        texts += [question.answer.ar, question.answer.en, *question.accepted]
    texts += [text for distractor in question.distractors for text in (distractor.ar, distractor.en)]
    return texts


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_prompt_with_time_relative_to_the_report_says_it_is_the_reports(
    questions: dict[str, Question], language: str
) -> None:
    unattributed = []
    for question in questions.values():
        asked = question.prompt.in_(language)
        answered = question.answer.in_(language) if question.answer is not None else ""
        relative = [p for p in RELATIVE_TIME[language] if p in asked.casefold() or p in answered.casefold()]
        if relative and not any(mark in asked.casefold() for mark in ATTRIBUTION[language]):
            unattributed.append((question.id, relative))
    assert not unattributed


def test_the_tensions_distractors_share_no_party_with_the_answer(questions: dict[str, Question]) -> None:
    question = questions["q-tensions"]
    assert question.answer is not None
    parties = set(re.split(r" and |\s+و", question.answer.en.casefold().removeprefix("the ")))
    parties |= set(re.split(r"\s+و", question.answer.ar))
    for distractor in question.distractors:
        named = set(re.split(r" and |\s+و", distractor.en.casefold().removeprefix("the ")))
        named |= set(re.split(r"\s+و", distractor.ar))
        assert not named & parties, distractor


def test_a_prompt_asking_for_a_militia_offers_only_militias(questions: dict[str, Question]) -> None:
    militias = {"كتائب حزب الله", "ألوية الطفوف", "قوات الحشد الشعبي", "الميليشيات المدعومة من إيران"}
    for question in questions.values():
        if "ميليشيا" in question.prompt.ar or "militia" in question.prompt.en.casefold():
            assert all(d.ar in militias for d in question.distractors), question.id


def test_no_question_says_the_reporter_did_the_interview(questions: dict[str, Question]) -> None:
    # The article says only "في مقابلة بمقر الحشد الشعبي": not who asked the questions.
    claims = re.compile(
        r"الكاتب.*(قابل|المقابلة)|(قابل|المقابلة).*الكاتب|reporter.*(interview|met)|(interview|met).*reporter"
    )
    for question in questions.values():
        for text in _texts(question):
            assert not claims.search(text), (question.id, text)


def test_a_quoted_answer_is_the_articles_quote_verbatim(questions: dict[str, Question]) -> None:
    question = questions["q-quote-official-words"]
    assert question.answer is not None
    assert question.answer.ar in re.findall(r'"([^"]+)"', question.source)


def test_a_question_about_the_one_flag_comes_from_a_sentence_about_flags(questions: dict[str, Question]) -> None:
    for question in questions.values():
        if re.search(r"\bعلم|flag", question.prompt.ar + " " + question.prompt.en):
            assert re.search(r"علم|أعلام", question.source), question.id


def test_the_last_trip_year_is_asked_of_the_sentence_that_states_it(questions: dict[str, Question]) -> None:
    question = questions["q-last-trip-year"]
    assert question.answer is not None
    assert question.answer.ar in question.source
    assert ("رحلة" in question.prompt.ar or "رحلتي" in question.prompt.ar) and "trip" in question.prompt.en


def test_dates_are_spelled_one_way_outside_the_articles_sentences(questions: dict[str, Question]) -> None:
    # "3 يناير/كانون الثاني", never "3 يناير/ كانون الثاني"; the sources stay as the article has them.
    for question in questions.values():
        for text in _texts(question):
            assert not re.search(r"\s/|/\s", text), (question.id, text)


def test_the_troop_count_prompts_read_naturally(questions: dict[str, Question]) -> None:
    question = questions["q-troops-typed"]
    assert re.search(r"كم جندياً", question.prompt.ar)
    assert not re.search(r"كم جندي(?!اً)", question.prompt.ar)
    assert not question.prompt.en.startswith("Up to how many")


def test_no_prompt_puts_a_possessive_after_a_closing_quote(questions: dict[str, Question]) -> None:
    for question in questions.values():
        assert "\"'s" not in question.prompt.en, question.id
