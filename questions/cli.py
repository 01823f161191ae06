"""`quizbot questions ...`: check the question sets, export the bank, derive drafts from an article.

    quizbot questions check [--dir DIR]
    quizbot questions export --format json [--out FILE]
    quizbot questions derive ARTICLE.txt --out DRAFT.yaml

Exit status: 0 when all is well, 1 when the check finds problems (or a file cannot be read or
written), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from questions.bank import (
    QuestionSetError,
    articles_directory,
    display_name,
    duplicate_ids,
    load_set_file,
    load_sets,
    sets_directory,
)
from questions.check import Problem, check_sets
from questions.schema import Question, QuestionSet, QuestionType


def main(argv: list[str]) -> int:
    """Run `quizbot questions` with `argv` (the words after "questions")."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on --help (0) and on usage errors (2)
        return int(exit_.code or 0)
    return int(args.func(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizbot questions", description="Check, export or derive question sets.")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="validate every question set; non-zero exit on any problem")
    check.add_argument("--dir", type=Path, default=None, help="directory of *.yaml sets (default: the bundled sets)")
    check.set_defaults(func=run_check)

    export = commands.add_parser("export", help="the whole bank as JSON, one object a question")
    export.add_argument("--format", choices=["json"], required=True)
    export.add_argument("--out", type=Path, default=None, help="write here instead of standard output")
    export.add_argument("--dir", type=Path, default=None, help=argparse.SUPPRESS)
    export.set_defaults(func=run_export)

    derive = commands.add_parser("derive", help="draft questions from an article, for a person to review")
    derive.add_argument("article", type=Path, metavar="ARTICLE.txt")
    derive.add_argument("--out", type=Path, required=True, metavar="DRAFT.yaml")
    derive.set_defaults(func=run_derive)
    return parser


# ---------------------------------------------------------------- check


def _article_text(name: str, directory: Path) -> str | None:
    """An article's text: next to the sets (DIR/../article) first, then the bundled articles."""
    for folder in (directory.parent / "article", articles_directory()):
        path = folder / name
        if path.is_file() and path.parent == folder:
            return path.read_text(encoding="utf-8")
    return None


def collect_problems(directory: Path) -> tuple[list[Problem], int, int]:
    """Every problem in the sets of `directory`: (problems, number of sets, number of questions)."""
    problems: list[Problem] = []
    sets: list[QuestionSet] = []
    files = sorted(directory.glob("*.yaml"))
    for path in files:
        try:
            sets.append(load_set_file(path))
        except QuestionSetError as error:
            # Its lines read "FILE: reason" or "FILE:LINE: reason"; keep the line number.
            for line in str(error).splitlines():
                file, _, reason = line.partition(": ")
                problems.append(Problem(file or display_name(path), None, reason or line))
    articles = {}
    for question_set in sets:
        text = _article_text(question_set.article, directory)
        if text is not None:
            articles[question_set.article] = text
    problems += check_sets(sets, articles)
    return problems, len(files), sum(len(s.questions) for s in sets)


def run_check(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    directory = args.dir if args.dir is not None else sets_directory()
    if not directory.is_dir():
        print(f"quizbot questions check: no directory {directory}", file=sys.stderr)
        return 1
    problems, set_count, question_count = collect_problems(directory)
    if set_count == 0:
        print(f"quizbot questions check: no *.yaml question sets in {directory}", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=out)
    if problems:
        print(f"{len(problems)} problem(s) in {set_count} set(s)", file=out)
        return 1
    print(f"ok: {question_count} questions in {set_count} set(s)", file=out)
    return 0


# ---------------------------------------------------------------- export

TRUE_FALSE_OPTIONS = ({"ar": "خطأ", "en": "False"}, {"ar": "صح", "en": "True"})  # index 1 is "true"


def question_record(question: Question, question_set: QuestionSet) -> dict[str, Any]:
    """One question as a JSON object."""
    if question.type is QuestionType.TRUE_FALSE:
        options: list[dict[str, str]] = [dict(option) for option in TRUE_FALSE_OPTIONS]
    else:
        options = [option.model_dump() for option in question.options()]
    return {
        "id": question.id,
        "set": question_set.id,
        "category": question.category.value,
        "type": question.type.value,
        "difficulty": question.difficulty,
        "prompt": question.prompt.model_dump(),
        "answer": question.answer.model_dump() if question.answer is not None else None,
        "truth": question.truth,
        "accepted": list(question.accepted),
        "options": options,
        "explanation": question.explanation.model_dump(),
        "source": question.source,
        "article": question_set.article,
        "attribution": question_set.attribution,
    }


def export_records(sets: list[QuestionSet]) -> list[dict[str, Any]]:
    """The whole bank as JSON-ready records; ids must be unique across sets."""
    duplicates = duplicate_ids(sets)
    if duplicates:
        raise QuestionSetError(
            "; ".join(f'question "{qid}" repeats in {", ".join(f)}' for qid, f in duplicates.items())
        )
    return [question_record(q, s) for s in sets for q in s.questions]


def run_export(args: argparse.Namespace) -> int:
    try:
        records = export_records(load_sets(args.dir))
    except QuestionSetError as error:
        print(f"quizbot questions export: {error}", file=sys.stderr)
        return 1
    text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as error:
            print(f"quizbot questions export: cannot write {args.out}: {error}", file=sys.stderr)
            return 1
    return 0


# ---------------------------------------------------------------- derive


def run_derive(args: argparse.Namespace) -> int:
    from questions.derive import derive_file  # the pipeline loads dateparser: only when asked

    try:
        drafts = derive_file(args.article, args.out)
    except (OSError, UnicodeDecodeError) as error:
        print(f"quizbot questions derive: {error}", file=sys.stderr)
        return 1
    print(f"{len(drafts.questions)} draft questions written to {args.out}; review every one before use")
    return 0
