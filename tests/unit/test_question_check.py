"""`check_sets` catches what the schema cannot, and the real bank passes it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from questions.bank import load_sets, read_article
from questions.check import (
    BUTTON_TEXT_MAX,
    CALLBACK_DATA_MAX,
    MESSAGE_MAX,
    Problem,
    check_sets,
    message_length,
    worst_callback_bytes,
)
from questions.schema import QuestionSet

ARTICLE_NAME = "000_7c3ce2b50505d2e6.txt"
SOURCE = "ويأتي ذلك وسط توترات متزايدة مع الحكومة العراقية وإيران."


def _question(qid: str = "q-tensions", **overrides: object) -> dict:
    question = {
        "id": qid,
        "category": "actors",
        "type": "choice",
        "prompt": {"ar": "مع من التوترات؟", "en": "Tensions with whom?"},
        "answer": {"ar": "الحكومة العراقية وإيران", "en": "The Iraqi government and Iran"},
        "distractors": [
            {"ar": "إيران وسوريا", "en": "Iran and Syria"},
            {"ar": "سوريا وتركيا", "en": "Syria and Turkey"},
            {"ar": "الأردن", "en": "Jordan"},
        ],
        "explanation": {"ar": "كما في المقال", "en": "As the article says"},
        "source": SOURCE,
    }
    question.update(overrides)
    return question


def _set(*questions: dict, set_id: str = "test-set") -> QuestionSet:
    question_set = QuestionSet.model_validate(
        {
            "id": set_id,
            "title": {"ar": "عنوان", "en": "Title"},
            "article": ARTICLE_NAME,
            "attribution": "BBC News عربي",
            "questions": list(questions) or [_question()],
        }
    )
    question_set._file = f"sets/{set_id}.yaml"
    return question_set


def _articles() -> dict[str, str]:
    return {ARTICLE_NAME: read_article(ARTICLE_NAME)}


def _reasons(*questions: dict) -> list[str]:
    return [str(problem) for problem in check_sets([_set(*questions)], _articles())]


def test_the_real_bank_has_no_problems() -> None:
    sets = load_sets()
    articles = {s.article: read_article(s.article) for s in sets}
    problems = check_sets(sets, articles)
    assert problems == [], "\n".join(map(str, problems))


def test_a_sound_question_passes() -> None:
    assert _reasons(_question()) == []


def test_a_source_not_in_the_article_verbatim_is_reported() -> None:
    reasons = _reasons(_question(source=SOURCE.replace("متزايدة", "متصاعدة")))
    assert reasons == [
        'sets/test-set.yaml: question "q-tensions": field source: the sentence is not in the article verbatim'
    ]


def test_a_source_with_changed_whitespace_is_not_verbatim() -> None:
    assert any("verbatim" in r for r in _reasons(_question(source=SOURCE.replace(" ", "  ", 1))))


def test_the_answer_among_the_distractors_is_reported() -> None:
    distractors = [
        {"ar": "الحكومة العراقية وايران", "en": "Iraqi government and Iran"},
        {"ar": "سوريا وتركيا", "en": "Syria and Turkey"},
        {"ar": "الأردن", "en": "Jordan"},
    ]
    reasons = _reasons(_question(distractors=distractors))
    assert any('"q-tensions": field distractors[0]: the answer is among the distractors' in r for r in reasons)


def test_repeated_options_are_reported() -> None:
    distractors = [
        {"ar": "سوريا وتركيا", "en": "Syria and Turkey"},
        {"ar": "سوريا وتركيا", "en": "Syria and Turkey"},
        {"ar": "الأردن", "en": "Jordan"},
    ]
    reasons = _reasons(_question(distractors=distractors))
    assert any("options repeat in ar: options 2 and 3" in r for r in reasons)
    assert any("options repeat in en: options 2 and 3" in r for r in reasons)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "prompt",
            {"ar": "مع من التوترات؟", "en": "مع من التوترات؟"},
            "field prompt.en: the English translation is missing",
        ),
        (
            "explanation",
            {"ar": "As the article says", "en": "As the article says"},
            "field explanation.ar: the Arabic text is missing",
        ),
        ("prompt", {"ar": "مع من؟", "en": "TODO translate"}, "field prompt: still marked TODO"),
    ],
)
def test_a_missing_translation_is_reported(field: str, value: dict, expected: str) -> None:
    reasons = _reasons(_question(**{field: value}))
    assert any(expected in r for r in reasons), reasons


def test_a_repeated_id_is_reported_across_sets() -> None:
    first, second = _set(_question(), set_id="one"), _set(_question(), set_id="two")
    problems = check_sets([first, second], _articles())
    assert Problem("sets/two.yaml", "q-tensions", "field id: the id repeats (first in sets/one.yaml)") in problems


def test_an_unknown_article_is_reported() -> None:
    problems = check_sets([_set()], {})
    assert [str(p) for p in problems] == [
        "sets/test-set.yaml: field article: no article named '000_7c3ce2b50505d2e6.txt'"
    ]


def test_a_button_text_over_the_cap_is_reported() -> None:
    long = "أ" * (BUTTON_TEXT_MAX + 1)
    distractors = [
        {"ar": long, "en": "Long"},
        {"ar": "سوريا وتركيا", "en": "Syria and Turkey"},
        {"ar": "الأردن", "en": "Jordan"},
    ]
    reasons = _reasons(_question(distractors=distractors))
    assert any(f"option 2 (ar) is {BUTTON_TEXT_MAX + 1} characters" in r for r in reasons)


def test_a_message_over_telegrams_limit_is_reported() -> None:
    explanation = {"ar": "شرح " * 1000, "en": "Because. " * 100}
    reasons = _reasons(_question(explanation=explanation))
    assert any("the ar message may reach" in r for r in reasons)
    assert not any("the en message may reach" in r for r in reasons)


def test_callback_data_fits_for_the_widest_question() -> None:
    assert worst_callback_bytes(4) == len("a:9999999999:99:3")
    assert worst_callback_bytes(10) <= CALLBACK_DATA_MAX


def test_every_real_question_fits_telegram() -> None:
    for question_set in load_sets():
        for question in question_set.questions:
            for language in ("ar", "en"):
                assert message_length(question, language) <= MESSAGE_MAX
            for option in question.options():
                assert len(option.ar) <= BUTTON_TEXT_MAX and len(option.en) <= BUTTON_TEXT_MAX


def test_check_reads_problems_from_a_file(tmp_path: Path) -> None:
    # The same checks run on sets loaded from files, with the file in the message.
    directory = tmp_path / "sets"
    directory.mkdir()
    data = _set(_question(source="جملة ليست في المقال")).model_dump(mode="json")
    (directory / "extra.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = check_sets(load_sets(directory), _articles())
    assert [str(p) for p in problems] == [
        'sets/extra.yaml: question "q-tensions": field source: the sentence is not in the article verbatim'
    ]
