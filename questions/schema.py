"""Pydantic models for a question set file: the one contract for questions/sets/*.yaml."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,39}$")]


class Category(StrEnum):
    """What a question asks about."""

    DATES = "dates"
    PLACES = "places"
    ACTORS = "actors"
    NUMBERS = "numbers"
    QUOTES = "quotes"


class QuestionType(StrEnum):
    """How a question is answered."""

    CHOICE = "choice"  # four buttons: the answer and three distractors
    TRUE_FALSE = "true_false"  # two buttons: true / false
    TYPED = "typed"  # the user writes the answer; graded leniently


class Text(BaseModel):
    """The same words in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ar: NonEmpty
    en: NonEmpty

    def in_(self, language: str) -> str:
        """The text in `language` ("ar" or "en"); Arabic for anything else."""
        return self.en if language == "en" else self.ar


class Question(BaseModel):
    """One question, with its answer, distractors and the article sentence it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: QuestionId
    category: Category
    type: QuestionType = QuestionType.CHOICE
    difficulty: int = Field(default=1, ge=1, le=3)
    prompt: Text
    answer: Text | None = Field(default=None, validate_default=True)  # choice and typed
    truth: bool | None = Field(default=None, validate_default=True)  # true_false: is the prompt true?
    accepted: tuple[NonEmpty, ...] = Field(default=(), validate_default=True)  # other forms of the answer
    distractors: tuple[Text, ...] = Field(default=(), validate_default=True)  # choice: three wrong answers
    explanation: Text
    source: NonEmpty  # the sentence of the article, verbatim, that states the answer

    # The checks that tie a field to the question's type are field validators (not one model
    # validator) so that an error is located at the offending field: "field distractors: ...".
    # They read `type` from info.data, which holds the fields declared (and validated) before.

    @field_validator("answer")
    @classmethod
    def _answer_fits_type(cls, value: Text | None, info: ValidationInfo) -> Text | None:
        kind = info.data.get("type")
        if kind is QuestionType.TRUE_FALSE and value is not None:
            raise ValueError("a true_false question has no answer (it has `truth`)")
        if kind in (QuestionType.CHOICE, QuestionType.TYPED) and value is None:
            raise ValueError(f"a {kind} question has an answer")
        return value

    @field_validator("truth")
    @classmethod
    def _truth_fits_type(cls, value: bool | None, info: ValidationInfo) -> bool | None:
        kind = info.data.get("type")
        if kind is QuestionType.TRUE_FALSE and value is None:
            raise ValueError("a true_false question states its truth (true or false)")
        if kind in (QuestionType.CHOICE, QuestionType.TYPED) and value is not None:
            raise ValueError(f"a {kind} question has no truth (it has an answer)")
        return value

    @field_validator("accepted")
    @classmethod
    def _accepted_fits_type(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if info.data.get("type") is QuestionType.TRUE_FALSE and value:
            raise ValueError("a true_false question has no accepted answer forms")
        return value

    @field_validator("distractors")
    @classmethod
    def _distractors_fit_type(cls, value: tuple[Text, ...], info: ValidationInfo) -> tuple[Text, ...]:
        kind = info.data.get("type")
        if kind is QuestionType.CHOICE and len(value) != 3:
            raise ValueError(f"a choice question has exactly three distractors, not {len(value)}")
        if kind in (QuestionType.TRUE_FALSE, QuestionType.TYPED) and value:
            raise ValueError(f"a {kind} question has no distractors")
        return value

    def options(self) -> tuple[Text, ...]:
        """The canonical options: the answer first, then the distractors (choice only)."""
        if self.type is not QuestionType.CHOICE:
            return ()
        assert self.answer is not None
        return (self.answer, *self.distractors)


class QuestionSet(BaseModel):
    """A file of questions drawn from one article."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: QuestionId
    title: Text
    article: NonEmpty  # file name under questions/article/
    attribution: NonEmpty
    questions: tuple[Question, ...] = Field(min_length=1)

    # The file the set was read from (set by questions.bank), for messages; not part of the data.
    _file: str | None = PrivateAttr(default=None)

    @property
    def file(self) -> str:
        """The set's file for messages ("sets/article-000.yaml"), or a name made from its id."""
        return self._file or f"set {self.id}"
