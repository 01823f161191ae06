"""What a simulated user does to take a quiz: read the question, pick the right or a wrong answer."""

from __future__ import annotations

from dataclasses import dataclass

from bot.emulator import SimulatedUser
from bot.emulator.models import BotMessage
from questions.bank import load_questions
from questions.schema import Question, QuestionType

BANK = load_questions()
TRUE_FALSE = {"en": ("True", "False"), "ar": ("العبارة صحيحة", "العبارة خاطئة")}


def question_in(message: BotMessage, language: str) -> Question:
    """The bank question a bot message asks."""
    matches = [q for q in BANK if q.prompt.in_(language) in message.text]
    assert len(matches) == 1, f"no single question in:\n{message.describe()}"
    return matches[0]


def right_label(question: Question, language: str) -> str:
    """The text of the right button or typed answer."""
    if question.type is QuestionType.TRUE_FALSE:
        yes, no = TRUE_FALSE[language]
        return yes if question.truth else no
    assert question.answer is not None
    return question.answer.in_(language)


async def answer(
    user: SimulatedUser, message: BotMessage, *, right: bool, language: str, timeout: float = 5.0
) -> BotMessage:
    """Answer the question in `message`, rightly or wrongly; return what the bot sent next."""
    question = question_in(message, language)
    before = len(user.messages)
    if question.type is QuestionType.TYPED:
        await user.send(right_label(question, language) if right else "لا أعرف")
        # The feedback comes first, then the next question or the score.
        return await user.wait_for(lambda msgs: msgs[before + 1] if len(msgs) > before + 1 else None, timeout)
    labels = [b.text for b in message.flat_buttons]
    target = right_label(question, language)
    choice = target if right else next(label for label in labels if label != target)
    await user.tap(message, choice, timeout=timeout)
    # The question turns into its feedback, then the next question or the score follows.
    return await user.wait_for(lambda msgs: msgs[before] if message.edited and len(msgs) > before else None, timeout)


@dataclass(frozen=True)
class QuizRun:
    """A quiz taken: the questions in the order asked, and the bot's last message."""

    questions: list[Question]
    final: BotMessage


async def take_quiz(
    user: SimulatedUser, pattern: list[bool], *, language: str, command: str = "/quiz", timeout: float = 5.0
) -> QuizRun:
    """Start a quiz and answer each question right or wrong per `pattern`; `timeout` for each reply."""
    message = await user.ask(command, timeout=timeout)
    asked = []
    for right in pattern:
        asked.append(question_in(message, language))
        message = await answer(user, message, right=right, language=language, timeout=timeout)
    await user.emulator.wait_idle(timeout=timeout)  # anything said after the score, such as the time zone question
    return QuizRun(asked, message)
