"""Typed answers are graded leniently, but not so leniently that a wrong answer passes."""

from __future__ import annotations

import pytest

from learning.normalize import (
    answers_match,
    forms_match,
    normalize,
    number_value,
    stated_number,
)
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


def _bank() -> dict[str, Question]:
    return {question.id: question for question in load_questions()}


@pytest.mark.parametrize(
    ("expected", "given"),
    [
        ("القائم", "القاءم"),  # a bare hamza inside a word is a hamza form, not a stray letter
        ("القائم", "القايم"),  # the hamza left out, its seat kept
        ("القاءم", "القائم"),
        ("مسؤول", "مسئول"),  # a hamza on one seat or another
        ("مسؤول", "مسءول"),
        ("قراءة", "قراة"),  # the hamza left out
    ],
)
def test_every_hamza_form_inside_a_word_is_the_same_hamza(expected: str, given: str) -> None:
    assert forms_match(expected, given)


@pytest.mark.parametrize(
    ("question_id", "given"),
    [
        ("q-qaim-typed", "القاءم"),
        ("q-last-trip-year", "2018م"),
        ("q-last-trip-year", "2018 م"),
        ("q-last-trip-year", "2018 هـ"),
        ("q-last-trip-year", "في 2018"),
        ("q-last-trip-year", "سنة 2018"),
        ("q-last-trip-year", "عام 2018"),
        ("q-last-trip-year", "in 2018"),
        ("q-last-trip-year", "year 2018"),
        ("q-troops-typed", "5200 جندياً"),
        ("q-troops-typed", "5200 جندي"),
        ("q-troops-typed", "5200 troops"),
        ("q-troops-typed", "5,200 soldiers"),
        ("q-bases-typed", "8 قواعد"),
        ("q-bases-typed", "ثماني قواعد"),
        ("q-bases-typed", "8 bases"),
        ("q-taji-attacks", "٢ هجوم"),
        ("q-taji-attacks", "2 attacks"),
        ("q-interview-city", "في بغداد"),
        ("q-interview-city", "مدينة بغداد"),
        ("q-interview-city", "in Baghdad"),
        ("q-interview-city", "Baghdad city"),
        ("q-interview-city", "the city of Baghdad"),
        ("q-soleimani-name", "الجنرال قاسم سليماني"),
        ("q-soleimani-name", "General Soleimani"),
        ("q-soleimani-name", "Qassem Soleimani"),
        ("q-qaim-typed", "Al-Qaim base"),
        ("q-qaim-typed", "Qaim base"),
    ],
)
def test_a_right_answer_typed_with_the_words_people_put_around_it_is_right(question_id: str, given: str) -> None:
    assert answers_match(_bank()[question_id], given)


@pytest.mark.parametrize(
    ("question_id", "given"),
    [
        ("q-soleimani-name", "سليمان"),  # another name: the last letter dropped
        ("q-soleimani-name", "قاسم سليمان"),
        ("q-abu-amin-name", "أبو أمينة"),  # another name: a letter added at the end
        ("q-abu-amin-name", "Abu Amina"),
        ("q-last-trip-year", "2017"),
        ("q-last-trip-year", "2017م"),
        ("q-last-trip-year", "عام 2019"),
        ("q-last-trip-year", "2018 أو 2019"),  # two numbers are not one answer
        ("q-bases-typed", "9"),
        ("q-bases-typed", "9 قواعد"),
        ("q-bases-typed", "ثمانية أو تسعة"),
        ("q-bases-typed", "ليس 8"),
        ("q-troops-typed", "5300 جندي"),
        ("q-interview-city", "في الموصل"),
        ("q-interview-city", "Basra city"),
    ],
)
def test_a_wrong_answer_stays_wrong_whatever_words_are_around_it(question_id: str, given: str) -> None:
    assert not answers_match(_bank()[question_id], given)


@pytest.mark.parametrize(
    ("expected", "given"),
    [
        ("Iraq", "Iran"),
        ("سليماني", "سليمان"),
        ("سليمان", "سليماني"),
        ("أبو أمين", "أبو أمينة"),
        ("Soleimani", "Soleimano"),  # the last letter changed
    ],
)
def test_a_slip_at_the_last_letter_makes_another_name_and_is_not_forgiven(expected: str, given: str) -> None:
    assert not forms_match(expected, given)


def test_a_slip_inside_a_long_word_is_still_forgiven() -> None:
    assert forms_match("Soleimani", "Soliemani") is False  # two letters swapped are two slips
    assert forms_match("Soleimani", "Solemani")  # one letter dropped inside
    assert forms_match("Soleimani", "Soleimeni")  # one letter changed inside
    assert forms_match("سليماني", "سلماني")


def test_stated_number_reads_one_number_with_its_noun_but_not_two_numbers() -> None:
    assert stated_number("عام 2018") == 2018
    assert stated_number("2018م") == 2018
    assert stated_number("ثماني قواعد") == 8
    assert stated_number("5,200 soldiers") == 5200
    assert stated_number("8 أو 9") is None
    assert stated_number("more than 8") is None
    assert stated_number("ديسمبر 2018") is None
