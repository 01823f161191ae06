"""Typed answers are graded leniently, but not so leniently that a wrong answer passes."""

from __future__ import annotations

import pytest

from learning.normalize import answers_match, forms_match, normalize, number_value
from questions.bank import load_questions
from questions.schema import Question, QuestionType


def _typed(ar: str, en: str, *accepted: str) -> Question:
    return Question(
        id="q-typed",
        category="places",
        type="typed",
        prompt={"ar": "أين؟", "en": "Where?"},
        answer={"ar": ar, "en": en},
        accepted=accepted,
        explanation={"ar": "لأن", "en": "Because"},
        source="جملة",
    )


@pytest.mark.parametrize(
    ("expected", "given"),
    [
        ("القائم", "قائم"),  # the definite article
        ("القائم", "القَائِم"),  # diacritics
        ("القائم", "القـــائم"),  # tatweel
        ("ألوية الطفوف", "الوية الطفوف"),  # hamza on alef
        ("إيران", "ايران"),
        ("مؤمن", "مومن"),  # hamza on waw
        ("قيارة", "قياره"),  # ta marbuta and ha
        ("مستشفى", "مستشفي"),  # alef maqsura and ya
        ("سليماني", "سلیمانی"),  # Persian ya
        ("5200", "٥٢٠٠"),  # Arabic-Indic digits
        ("5200", "5,200"),
        ("3", "ثلاثة"),  # a number in words
        ("25", "خمسة وعشرون"),
        ("2", "اثنين"),
        ("3", "three"),
        ("Al-Qaim", "al qaim"),
        ("Al-Qaim", "Qaim"),
        ("The Euphrates", "euphrates"),
        ("3 يناير", "٣ يناير"),
        ("قاسم سليماني", "قاسم سلماني"),  # one slip in a long word
        ("Kirkuk", "  KIRKUK. "),
    ],
)
def test_the_same_answer_in_other_forms_matches(expected: str, given: str) -> None:
    assert forms_match(expected, given)


@pytest.mark.parametrize(
    ("expected", "given"),
    [
        ("2014", "2017"),  # digits are never fuzzy
        ("3", "8"),
        ("Iraq", "Iran"),  # short words are never fuzzy
        ("سوريا والعراق", "سوريا وإيران"),
        ("Syria and Iraq", "Syria and Iran"),
        ("كركوك", "الموصل"),
        ("قاسم سليماني", "سليماني قاسم"),
        ("Kirkuk", ""),
        ("القائم", "ال"),
    ],
)
def test_a_different_answer_does_not_match(expected: str, given: str) -> None:
    assert not forms_match(expected, given)


def test_normalize_is_stable_and_idempotent() -> None:
    for text in ["الجنرال الإيراني قاسم سليماني", "قُتل 25 شخصاَ", "Al-Qaim base", "كانون أول ٢٠١٨"]:
        once = normalize(text)
        assert normalize(once) == once


def test_number_value_reads_digits_and_words_but_not_phrases() -> None:
    assert number_value("٣") == 3
    assert number_value("ثلاثة") == 3
    assert number_value("twice") == 2
    assert number_value("ثلاثة جنود") is None
    assert number_value("قاعدة") is None


def test_answers_match_uses_both_languages_and_accepted_forms() -> None:
    question = _typed("كركوك", "Kirkuk", "قاعدة كركوك")
    for text in ["كركوك", "kirkuk", "قاعده كركوك", "Kirkuk."]:
        assert answers_match(question, text), text
    for text in ["الموصل", "", "Kirk"]:
        assert not answers_match(question, text), text


def test_answers_match_for_true_false_reads_a_yes_or_no() -> None:
    question = Question(
        id="q-tf",
        category="actors",
        type="true_false",
        prompt={"ar": "صح؟", "en": "True?"},
        truth=False,
        explanation={"ar": "لأن", "en": "Because"},
        source="جملة",
    )
    assert answers_match(question, "خطأ")
    assert answers_match(question, "False")
    assert not answers_match(question, "صح")
    assert not answers_match(question, "ربما")


def test_every_typed_question_of_the_bank_accepts_its_own_answers() -> None:
    for question in load_questions():
        if question.type is QuestionType.TYPED:
            assert question.answer is not None
            for form in (question.answer.ar, question.answer.en, *question.accepted):
                assert answers_match(question, form), (question.id, form)


def test_no_choice_distractor_would_pass_as_a_typed_answer() -> None:
    for question in load_questions():
        if question.type is QuestionType.CHOICE:
            for distractor in question.distractors:
                assert not answers_match(question, distractor.ar), (question.id, distractor.ar)
                assert not answers_match(question, distractor.en), (question.id, distractor.en)
