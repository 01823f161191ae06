"""The question bank: the real sets load, and a broken file says where it is broken."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from questions.bank import (
    QuestionSetError,
    article_path,
    load_questions,
    load_sets,
    sets_directory,
)
from questions.schema import Category, QuestionType


def _minimal_set(**question_overrides: object) -> dict:
    question = {
        "id": "q-base-count",
        "category": "numbers",
        "type": "choice",
        "prompt": {"ar": "كم قاعدة؟", "en": "How many bases?"},
        "answer": {"ar": "3", "en": "3"},
        "distractors": [{"ar": "2", "en": "2"}, {"ar": "5", "en": "5"}, {"ar": "8", "en": "8"}],
        "explanation": {"ar": "ثلاث", "en": "Three"},
        "source": "الولايات المتحدة تقرر الانسحاب من 3 قواعد لها في العراق",
    }
    question.update(question_overrides)
    return {
        "id": "broken",
        "title": {"ar": "عنوان", "en": "Title"},
        "article": "000_7c3ce2b50505d2e6.txt",
        "attribution": "BBC News عربي",
        "questions": [question],
    }


def _write(directory: Path, name: str, data: object) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_real_sets_load_with_unique_ids() -> None:
    sets = load_sets()
    assert any(s.id == "article-000" for s in sets)
    questions = load_questions()
    ids = [q.id for q in questions]
    assert len(ids) == len(set(ids))
    assert len(questions) >= 15


def test_the_real_set_covers_the_four_categories_and_mixes_types() -> None:
    questions = load_questions()
    categories = {q.category for q in questions}
    assert {Category.DATES, Category.PLACES, Category.ACTORS, Category.NUMBERS} <= categories
    types = {q.type for q in questions}
    assert {QuestionType.CHOICE, QuestionType.TRUE_FALSE} <= types


def test_every_set_names_an_existing_article_and_its_sources_are_in_it() -> None:
    for question_set in load_sets():
        article = article_path(question_set.article)
        assert article.is_file(), question_set.article
        text = article.read_text(encoding="utf-8")
        for question in question_set.questions:
            assert question.source in text, question.id


def test_sets_directory_is_next_to_the_module() -> None:
    assert sets_directory().name == "sets"
    assert sets_directory().parent.name == "questions"
    assert (sets_directory() / "article-000.yaml").is_file()


def test_a_choice_question_with_two_distractors_names_file_id_and_field(tmp_path: Path) -> None:
    data = _minimal_set(distractors=[{"ar": "2", "en": "2"}, {"ar": "5", "en": "5"}])
    _write(tmp_path / "sets", "article-000.yaml", data)
    with pytest.raises(QuestionSetError) as caught:
        load_sets(tmp_path / "sets")
    message = str(caught.value)
    assert message.startswith('sets/article-000.yaml: question "q-base-count": field distractors: ')
    assert "exactly three distractors" in message


def test_a_missing_translation_names_the_nested_field(tmp_path: Path) -> None:
    data = _minimal_set(prompt={"ar": "كم قاعدة؟"})
    _write(tmp_path / "sets", "bad.yaml", data)
    with pytest.raises(QuestionSetError, match=r'sets/bad\.yaml: question "q-base-count": field prompt\.en: '):
        load_sets(tmp_path / "sets")


def test_a_true_false_question_with_an_answer_names_the_answer_field(tmp_path: Path) -> None:
    data = _minimal_set(type="true_false", truth=True, distractors=[])
    _write(tmp_path / "sets", "bad.yaml", data)
    with pytest.raises(QuestionSetError, match=r'question "q-base-count": field answer: '):
        load_sets(tmp_path / "sets")


def test_an_unknown_field_is_rejected(tmp_path: Path) -> None:
    data = _minimal_set(hint="no such field")
    _write(tmp_path / "sets", "bad.yaml", data)
    with pytest.raises(QuestionSetError, match=r'question "q-base-count": field hint: '):
        load_sets(tmp_path / "sets")


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    directory = tmp_path / "sets"
    directory.mkdir()
    (directory / "broken.yaml").write_text("id: x\ntitle: {ar: a, en: b\nquestions: [\n", encoding="utf-8")
    with pytest.raises(QuestionSetError, match=r"^sets/broken\.yaml:\d+: YAML syntax error"):
        load_sets(directory)


def test_an_id_repeated_across_sets_is_an_error(tmp_path: Path) -> None:
    directory = tmp_path / "sets"
    first = _minimal_set()
    second = _minimal_set()
    second["id"] = "other"
    _write(directory, "a.yaml", first)
    _write(directory, "b.yaml", second)
    assert len(load_sets(directory)) == 2
    with pytest.raises(QuestionSetError, match=r'question "q-base-count": field id: the id repeats'):
        load_questions(directory)
