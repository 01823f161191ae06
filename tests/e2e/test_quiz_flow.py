"""Simulated users chat with the running bot over HTTP: the daily quiz from /start to /score."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.emulator import BotApiEmulator
from bot.rendering import COMMANDS
from db.engine import create_engine
from db.models import QuizItem
from tests.e2e.quizzing import answer, question_in, right_label, take_quiz

PATTERN = [True, False, True, True, False]  # 3 of 5 right


async def answers_stored(database_url: str) -> int:
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(QuizItem).where(QuizItem.answered_at.is_not(None)))
    await engine.dispose()
    return int(count or 0)


async def test_start_welcomes_in_english_or_arabic_and_registers_both_menus(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    omar = emulator.user(1002, "عمر", language_code="ar")
    dmitri = emulator.user(1003, "Dmitri", language_code="ru")
    assert "Hello Alice" in (await alice.ask("/start")).text
    assert "مرحباً عمر" in (await omar.ask("/start")).text
    assert "مرحباً" in (await dmitri.ask("/start")).text  # anything not English gets Arabic
    menus = emulator.commands
    english = emulator.commands_for(language_code="en")
    arabic = emulator.commands_for(language_code="ar")
    assert {"start", "quiz", "score", "help"} <= {name for name, _ in english}, menus
    assert [name for name, _ in arabic] == [name for name, _ in english] == list(COMMANDS)
    assert dict(english)["quiz"] == "Today's quiz" and dict(arabic)["quiz"] == "اختبار اليوم"


async def test_a_whole_quiz_with_right_and_wrong_answers(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    first = await alice.ask("/quiz")
    assert "Question 1/5" in first.text
    question = question_in(first, "en")
    second = await answer(alice, first, right=True, language="en")
    feedback = first if first.edited else alice.messages[1]  # typed answers get their feedback as a reply
    assert "✅ Right!" in feedback.text
    assert question.source in feedback.text  # the article's sentence is quoted
    assert not first.flat_buttons  # the answered question has no buttons left
    assert "Question 2/5" in second.text
    third = await answer(alice, second, right=False, language="en")
    transcript = alice.transcript()
    assert "❌ Not quite." in transcript
    assert f"The answer: {right_label(question_in(second, 'en'), 'en')}" in transcript
    message = third
    for right in PATTERN[2:]:
        message = await answer(alice, message, right=right, language="en")
    assert "You scored 3/5" in message.text


async def test_score_shows_today_accuracy_categories_and_streak(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    empty = await alice.ask("/score")
    assert "No answers yet" in empty.text and "not started" in empty.text
    await take_quiz(alice, PATTERN, language="en")
    page = (await alice.ask("/score")).text
    assert "Today's quiz: 3/5" in page
    assert "All time: 5 answered, 60% right" in page
    assert "Daily streak: 1" in page
    categories = [line for line in page.splitlines() if line.startswith(("Dates", "Places", "Actors", "Numbers", "Quotes"))]
    assert sum(int(line.rsplit("/", 1)[1].rstrip(")")) for line in categories) == 5


async def test_score_in_arabic(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    omar = emulator.user(1002, "عمر", language_code="ar")
    await take_quiz(omar, [True] * 5, language="ar")
    page = (await omar.ask("/score")).text
    assert "اختبار اليوم: 5/5" in page and "سلسلة الأيام: 1" in page


async def test_a_restart_mid_quiz_carries_on_where_the_user_was(emulator: BotApiEmulator, bot, database_url: str) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    message = await alice.ask("/quiz")
    second = await answer(alice, message, right=True, language="en")
    third = await answer(alice, second, right=True, language="en")
    await bot.restart()
    fourth = await answer(alice, third, right=False, language="en")  # answering the question shown before the restart
    assert "Question 4/5" in fourth.text
    resumed = await alice.ask("/quiz")
    assert "Question 4/5" in resumed.text
    assert await answers_stored(database_url) == 3


async def test_a_second_tap_on_the_same_button_changes_nothing(emulator: BotApiEmulator, bot, database_url: str) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    message = await alice.ask("/quiz")
    data = message.flat_buttons[0].callback_data
    assert data is not None
    first = await alice.tap_data(message.message_id, data)
    await alice.wait_for(lambda msgs: len(msgs) == 2)
    again = await alice.tap_data(message.message_id, data)
    await emulator.wait_idle()
    assert first.text in {"✅ Right", "❌ Wrong"}
    assert again.text == "You've already answered this question."
    assert len(alice.messages) == 2  # no second "next question"
    assert await answers_stored(database_url) == 1


async def test_taps_at_once_on_one_question_count_once(emulator: BotApiEmulator, bot, database_url: str) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    message = await alice.ask("/quiz")
    buttons = [b.callback_data for b in message.flat_buttons]
    replies = await asyncio.gather(*(alice.tap_data(message.message_id, d) for d in buttons * 2))
    await emulator.wait_idle()
    assert sum(r.text in {"✅ Right", "❌ Wrong"} for r in replies) == 1
    assert await answers_stored(database_url) == 1
    assert sum("Question 2/5" in m.text for m in alice.messages) == 1


async def test_forged_and_stale_callbacks_get_a_notice_and_change_nothing(emulator: BotApiEmulator, bot, database_url: str) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    mallory = emulator.user(1666, "Mallory", language_code="en")
    message = await alice.ask("/quiz")
    data = message.flat_buttons[0].callback_data
    quiz_id = data.split(":")[1]
    forged = [
        "a:999999:0:1",  # a quiz that doesn't exist
        f"a:{quiz_id}:7:0",  # a question it doesn't have
        f"a:{quiz_id}:0:9",  # an option never shown
        "a:1:0",  # malformed
        "garbage",
        "do:delete_everything",
        "x" * 65,  # longer than Telegram allows
        "",
    ]
    for bad in forged:
        reply = await alice.tap_data(message.message_id, bad)
        assert reply.text == "That button isn't valid. Send /quiz to carry on.", bad
    stolen = await mallory.tap_data(message.message_id, data)  # someone else's quiz
    assert stolen.text == "That button isn't valid. Send /quiz to carry on."
    await emulator.wait_idle()
    assert len(alice.messages) == 1 and not message.edited
    assert await answers_stored(database_url) == 0
    await answer(alice, message, right=True, language="en")  # the real question still works
    later = await alice.tap(message.message_id, 0) if message.flat_buttons else None
    assert later is None  # answered questions keep no buttons
    stale = await alice.tap_data(message.message_id, data)
    assert stale.text == "You've already answered this question."


async def test_quiz_again_after_finishing_offers_a_practice_round(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    done = await take_quiz(alice, [True] * 5, language="en")
    assert "You scored 5/5" in done.final.text
    again = await alice.ask("/quiz")
    assert "already finished today's quiz: 5/5" in again.text
    await alice.tap(again, "🔁 Practice round")
    practice = await alice.wait_for(lambda msgs: msgs[-1] if "Practice · Question 1/5" in msgs[-1].text else None)
    await answer(alice, practice, right=True, language="en")
    page = (await alice.ask("/score")).text
    assert "Today's quiz: 5/5" in page and "All time: 6 answered" in page


async def test_a_new_day_brings_a_new_quiz_and_the_streak_grows(emulator: BotApiEmulator, bot, clock) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await take_quiz(alice, [True] * 5, language="en")
    clock.advance(days=1)
    await take_quiz(alice, [False] * 5, language="en")
    page = (await alice.ask("/score")).text
    assert "Today's quiz: 0/5" in page and "Daily streak: 2" in page


async def test_two_users_take_their_quizzes_at_once(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    omar = emulator.user(1002, "عمر", language_code="ar")
    finals = await asyncio.gather(
        take_quiz(alice, [True, True, True, True, False], language="en"),
        take_quiz(omar, [False, False, True, False, False], language="ar"),
    )
    assert "You scored 4/5" in finals[0].final.text
    assert "1/5" in finals[1].final.text
    assert "All time: 5 answered, 80% right" in (await alice.ask("/score")).text


async def test_other_text_and_unknown_commands_point_to_the_commands(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    for text in ["hello", "/frobnicate", "١٢٣"]:
        assert "Try /quiz" in (await alice.ask(text)).text
    assert "How it works" in (await alice.ask("/help")).text
    await alice.send_sticker()
    reply = await alice.wait_for(lambda msgs: msgs[-1] if len(msgs) == 5 else None)
    assert "Try /quiz" in reply.text


async def test_yesterdays_unfinished_quiz_is_closed(emulator: BotApiEmulator, bot, clock, database_url: str) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    first = await alice.ask("/quiz")
    second = await answer(alice, first, right=True, language="en")
    clock.advance(days=1)
    data = next(b.callback_data for b in second.flat_buttons) if second.flat_buttons else None
    if data is None:  # a typed question: a late text is not taken as its answer
        assert "Try /quiz" in (await alice.ask("whatever")).text
    else:
        late = await alice.tap_data(second.message_id, data)
        assert late.text == "This question is closed. Send /quiz to carry on."
    assert await answers_stored(database_url) == 1
    assert "Question 1/5" in (await alice.ask("/quiz")).text  # today's quiz is a new one


async def test_text_sent_while_a_button_question_is_shown_points_to_the_buttons(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    message = await alice.ask("/quiz")
    while question_in(message, "en").type.value == "typed":
        message = await answer(alice, message, right=True, language="en")
    assert "tap one of the buttons" in (await alice.ask("the answer is surely Baghdad")).text
