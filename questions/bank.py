"""The question bank: every question set under questions/sets, read and validated.

A broken file raises QuestionSetError with a message a person can act on: the file, the question
id and the field, e.g.

    sets/article-000.yaml: question "q-base-count": field distractors: a choice question has ...
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from questions.schema import Question, QuestionSet

_HERE = Path(__file__).resolve().parent


class QuestionSetError(ValueError):
    """A question set file that cannot be read or does not fit the schema."""


def sets_directory() -> Path:
    """The directory of the bundled question sets (questions/sets)."""
    return _HERE / "sets"


def articles_directory() -> Path:
    """The directory of the bundled articles (questions/article)."""
    return _HERE / "article"


def article_path(name: str) -> Path:
    """The path of the article a set names in its `article` field."""
    path = articles_directory() / name
    if path.parent != articles_directory():
        raise QuestionSetError(f"article {name!r} is not a plain file name")
    return path


def read_article(name: str) -> str:
    """The text of a bundled article."""
    return article_path(name).read_text(encoding="utf-8")


def display_name(path: Path) -> str:
    """How a set file is named in messages: its directory and file name ("sets/article-000.yaml")."""
    return f"{path.parent.name}/{path.name}"


def _question_label(raw: Any, index: int) -> str:
    """`question "ID"` for the index-th question of the raw data, or `question #N` without an id."""
    try:
        qid = raw["questions"][index]["id"]
    except (KeyError, IndexError, TypeError):
        qid = None
    if isinstance(qid, str) and qid.strip():
        return f'question "{qid}"'
    return f"question #{index + 1}"


def _describe(error: Mapping[str, Any], raw: Any) -> str:
    """One pydantic error as `question "ID": field FIELD: reason`."""
    loc = list(error.get("loc", ()))
    parts: list[str] = []
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        parts.append(_question_label(raw, loc[1]))
        loc = loc[2:]
    elif loc and loc[0] == "questions" and len(loc) == 1:
        parts.append("questions")
        loc = []
    if loc:
        parts.append("field " + ".".join(str(part) for part in loc))
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    parts.append(message)
    return ": ".join(parts)


def load_set_file(path: Path) -> QuestionSet:
    """One question set file, validated; QuestionSetError names the file, question and field."""
    name = display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionSetError(f"{name}: cannot be read: {exc}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        reason = exc.problem or exc.context or "invalid YAML"
        raise QuestionSetError(f"{where}: YAML syntax error: {reason}") from exc
    except yaml.YAMLError as exc:
        raise QuestionSetError(f"{name}: YAML syntax error: {exc}") from exc
    if not isinstance(raw, dict):
        raise QuestionSetError(f"{name}: a question set is a mapping (id, title, article, ...)")
    try:
        question_set = QuestionSet.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{name}: {_describe(error, raw)}" for error in exc.errors()]
        raise QuestionSetError("\n".join(lines)) from exc
    question_set._file = name
    return question_set


def load_sets(directory: Path | None = None) -> list[QuestionSet]:
    """Every question set (`*.yaml`) in `directory` (the bundled sets by default), by file name."""
    directory = sets_directory() if directory is None else Path(directory)
    return [load_set_file(path) for path in sorted(directory.glob("*.yaml"))]


def duplicate_ids(sets: Sequence[QuestionSet]) -> dict[str, list[str]]:
    """Question ids that occur more than once, with the files they occur in."""
    seen: dict[str, list[str]] = {}
    for question_set in sets:
        for question in question_set.questions:
            seen.setdefault(question.id, []).append(question_set.file)
    return {qid: files for qid, files in seen.items() if len(files) > 1}


def load_questions(directory: Path | None = None) -> list[Question]:
    """All questions of all sets; ids are unique across sets (QuestionSetError otherwise)."""
    sets = load_sets(directory)
    duplicates = duplicate_ids(sets)
    if duplicates:
        lines = [
            f'{files[0]}: question "{qid}": field id: the id repeats (in {", ".join(files)})'
            for qid, files in sorted(duplicates.items())
        ]
        raise QuestionSetError("\n".join(lines))
    return [question for question_set in sets for question in question_set.questions]
