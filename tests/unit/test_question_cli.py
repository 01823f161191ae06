"""`quizbot questions check | export`: exit codes and what they print."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from questions.bank import load_questions
from questions.cli import main


def _broken_set(directory: Path) -> None:
    directory.mkdir(parents=True)
    data = {
        "id": "broken",
        "title": {"ar": "عنوان", "en": "Title"},
        "article": "000_7c3ce2b50505d2e6.txt",
        "attribution": "BBC News عربي",
        "questions": [
            {
                "id": "q-made-up",
                "category": "places",
                "type": "choice",
                "prompt": {"ar": "أين؟", "en": "Where?"},
                "answer": {"ar": "كركوك", "en": "Kirkuk"},
                "distractors": [
                    {"ar": "كركوك", "en": "Kirkuk"},
                    {"ar": "بغداد", "en": "Baghdad"},
                    {"ar": "الموصل", "en": "Mosul"},
                ],
                "explanation": {"ar": "لأن", "en": "Because"},
                "source": "جملة لم ترد في المقال.",
            }
        ],
    }
    (directory / "broken.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (directory / "syntax.yaml").write_text("id: x\nquestions: [\n", encoding="utf-8")


def test_check_passes_on_the_bundled_sets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {len(load_questions())} questions")


def test_check_fails_with_file_id_and_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _broken_set(tmp_path / "sets")
    assert main(["check", "--dir", str(tmp_path / "sets")]) == 1
    out = capsys.readouterr().out
    assert 'sets/broken.yaml: question "q-made-up": field source: the sentence is not in the article verbatim' in out
    assert 'sets/broken.yaml: question "q-made-up": field distractors[0]: the answer is among the distractors' in out
    assert 'sets/broken.yaml: question "q-made-up": options repeat in ar' in out
    assert "sets/syntax.yaml:3: YAML syntax error" in out


def test_check_of_a_missing_directory_fails(tmp_path: Path) -> None:
    assert main(["check", "--dir", str(tmp_path / "nowhere")]) == 1


def test_export_writes_every_question_as_json(tmp_path: Path) -> None:
    out = tmp_path / "bank.json"
    assert main(["export", "--format", "json", "--out", str(out)]) == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == [q.id for q in load_questions()]
    for record in records:
        assert {"id", "category", "type", "prompt", "answer", "accepted", "options", "source"} <= record.keys()
        assert record["prompt"]["ar"] and record["prompt"]["en"]
        if record["type"] == "choice":
            assert record["options"][0] == record["answer"] and len(record["options"]) == 4
        if record["type"] == "true_false":
            assert record["answer"] is None and isinstance(record["truth"], bool)
            assert [o["en"] for o in record["options"]] == ["False", "True"]


def test_export_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == len(load_questions())


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "csv"]) == 2
    assert main([]) == 2
    assert main(["derive", "article.txt"]) == 2  # --out is required
    assert "usage: quizbot questions" in capsys.readouterr().err
