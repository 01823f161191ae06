"""Simulated users look at their progress: the score page, the chart, history, mistakes, language,
their data exported, and everything forgotten."""

from __future__ import annotations

import asyncio
import json
import struct

from sqlalchemy import select

from bot.emulator import BotApiEmulator, BotMessage, SimulatedUser
from db.engine import create_engine
from db.models import Base
from tests.e2e.quizzing import BANK, right_label, take_quiz

PATTERN = [True, False, True, True, False]  # 3 of 5 right


def png_size(data: bytes | None) -> tuple[int, int]:
    """Width and height from a PNG's header; fails on anything that isn't a PNG."""
    assert data is not None and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


async def reply_to(user: SimulatedUser, command: str) -> BotMessage:
    """Send a command and return the bot's answer."""
    return await user.ask(command)


async def tap_for_new_message(user: SimulatedUser, message: BotMessage, button: str) -> BotMessage:
    """Tap a button and return the message the bot sends after it."""
    before = len(user.messages)
    await user.tap(message, button)
    return await user.wait_for(lambda msgs: msgs[-1] if len(msgs) > before else None)


async def test_a_user_with_no_history_gets_a_friendly_word_from_every_command(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    page = await reply_to(alice, "/score")
    assert "not started" in page.text and "No answers yet" in page.text and "Daily streak: 0" in page.text
    assert "No answers yet, so nothing to draw" in (await reply_to(alice, "/chart")).text
    assert "No quizzes yet" in (await reply_to(alice, "/history")).text
    assert "No mistakes to go over" in (await reply_to(alice, "/mistakes")).text
    export = await reply_to(alice, "/export")
    data = json.loads(export.document or b"")
    assert data["profile"]["id"] == 1001
    assert (data["quizzes"], data["cards"], data["review_logs"]) == ([], [], [])


async def test_score_is_a_progress_page_with_bars_mastery_and_reviews_coming_up(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    done = (await take_quiz(alice, PATTERN, language="en")).final
    page = await tap_for_new_message(alice, done, "📊 My score")  # the button after a quiz opens the same page
    assert page.text == (await reply_to(alice, "/score")).text
    text = page.text
    assert "Today's quiz: 3/5" in text and "Daily streak: 1" in text
    assert "All time: 5 answered, 60% right" in text and "Last 7 days: 5 answered, 60% right" in text
    bars = [line for line in text.splitlines() if "▰" in line or "▱" in line]
    assert bars and sum(int(line.rsplit("/", 1)[1].rstrip(")")) for line in bars) == 5
    assert all(line.count("▰") + line.count("▱") == 10 for line in bars)
    assert f"Questions mastered: 3 of {len(BANK)}" in text  # the three answered right
    assert "Reviews due in the next 7 days: 5" in text
    assert [b.text for b in page.flat_buttons] == ["📈 Chart", "🗂 History", "🎯 Mistakes"]


async def test_the_chart_is_a_phone_sized_png_in_either_language(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    omar = emulator.user(1002, "عمر", language_code="ar")
    await asyncio.gather(take_quiz(alice, PATTERN, language="en"), take_quiz(omar, [True] * 5, language="ar"))
    for user, caption in [(alice, "Your progress"), (omar, "تقدّمك")]:
        chart = await reply_to(user, "/chart")
        assert chart.kind == "photo" and caption in chart.text
        assert png_size(chart.photo) == (1080, 1350)
        assert 20_000 < len(chart.photo or b"") < 400_000
    from_button = await tap_for_new_message(alice, await reply_to(alice, "/score"), "📈 Chart")
    assert from_button.kind == "photo"


async def test_history_lists_quizzes_and_a_tap_shows_questions_answers_and_right_ones(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    run = await take_quiz(alice, PATTERN, language="en")
    listing = await reply_to(alice, "/history")
    assert [b.text for b in listing.flat_buttons] == ["Mar 10 · Daily quiz · 3/5"]
    shown = await tap_for_new_message(alice, listing, "Mar 10 · Daily quiz · 3/5")
    assert shown.text.startswith("Daily quiz · Mar 10: 3/5")
    assert shown.text.count("✅") == 3 and shown.text.count("❌") == 2 and shown.text.count("Your answer:") == 5
    for question, right in zip(run.questions, PATTERN):
        assert question.prompt.en in shown.text
        if not right:
            assert f"Right answer: {right_label(question, 'en')}" in shown.text
    again = await tap_for_new_message(alice, shown, "⬅️ All quizzes")  # back to the list
    assert [b.text for b in again.flat_buttons] == ["Mar 10 · Daily quiz · 3/5"]


async def test_a_forged_or_someone_elses_history_tap_shows_nothing(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    mallory = emulator.user(1666, "Mallory", language_code="en")
    await take_quiz(alice, PATTERN, language="en")
    data = (await reply_to(alice, "/history")).flat_buttons[0].callback_data
    assert data is not None
    mine = await reply_to(mallory, "/history")
    for forged in [data, "h:999999"]:
        notice = await mallory.tap_data(mine.message_id, forged)
        assert notice.text == "That quiz isn't in your history."
    await emulator.wait_idle()
    assert len(mallory.messages) == 1


async def test_mistakes_quote_the_article_and_can_be_practised(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    run = await take_quiz(alice, PATTERN, language="en")
    missed = [q for q, right in zip(run.questions, PATTERN) if not right]
    page = await reply_to(alice, "/mistakes")
    for question in missed:
        assert question.prompt.en in page.text and question.source in page.text
        assert f"The answer: {right_label(question, 'en')}" in page.text
    assert page.text.count("Wrong answers: 1 of 1") == 2
    practice = await tap_for_new_message(alice, page, "🔁 Practise these")
    assert "Practice · Question 1/5" in practice.text
    assert any(q.prompt.en in practice.text for q in missed)  # the round starts with a missed question


async def test_the_language_switch_is_remembered_over_telegrams_and_a_restart(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    picker = await reply_to(alice, "/language")
    assert [b.text for b in picker.flat_buttons] == ["العربية", "English"]
    await alice.tap(picker, "العربية")
    await alice.wait_for(lambda _: "تم" in picker.text)
    chat_menu = emulator.commands_for(scope={"type": "chat", "chat_id": 1001})
    assert dict(chat_menu)["quiz"] == "اختبار اليوم"
    await bot.restart()
    assert "لم يبدأ بعد" in (await reply_to(alice, "/score")).text  # Telegram still says "en"
    picker = await reply_to(alice, "/language")
    await alice.tap(picker, "English")
    await alice.wait_for(lambda _: "English" in picker.text)
    assert "not started" in (await reply_to(alice, "/score")).text


async def test_export_holds_the_profile_settings_every_answer_and_card(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(1001, "Alice", language_code="en")
    await take_quiz(alice, PATTERN, language="en")
    export = await reply_to(alice, "/export")
    assert export.kind == "document" and export.file is not None and export.file.file_name == "quizbot-my-data.json"
    data = json.loads(export.document or b"")
    assert data["profile"]["first_name"] == "Alice" and data["profile"]["timezone"] == "UTC"
    assert "reminder_minute" in data["profile"] and "language" in data["profile"]
    [quiz] = data["quizzes"]
    assert [item["correct"] for item in quiz["items"]] == PATTERN
    assert len(data["cards"]) == 5 and len(data["review_logs"]) == 5


# Tables of the bot's own bookkeeping, about no user: the shared sending pace of the workers.
BOT_WIDE_TABLES = {"send_pace"}


async def rows_by_table(database_url: str) -> dict[str, list[dict]]:
    """Every row of every table the bot has."""
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        tables = {t.name: [dict(r._mapping) for r in (await connection.execute(select(t))).all()] for t in Base.metadata.sorted_tables}
    await engine.dispose()
    return tables


def mentions(row: dict, values: set[object]) -> bool:
    """Whether any column of the row holds one of the values."""
    return any(cell == value for cell in row.values() for value in values)


async def test_forget_deletes_everything_about_the_user_after_a_confirmation(emulator: BotApiEmulator, bot, database_url: str) -> None:  # type: ignore[no-untyped-def]
    alice = emulator.user(424242, "Alice-unique", language_code="en")
    bob = emulator.user(1002, "Bob", language_code="en")
    await take_quiz(alice, PATTERN, language="en")
    await take_quiz(bob, PATTERN, language="en")
    await reply_to(alice, "/mistakes")
    before = await rows_by_table(database_url)
    alices_quizzes = {q["id"] for q in before["quizzes"] if q["user_id"] == 424242}
    alices_cards = {c["id"] for c in before["cards"] if c["user_id"] == 424242}

    prompt = await reply_to(alice, "/forget")
    await alice.tap(prompt, "Keep my data")
    await alice.wait_for(lambda _: "Nothing deleted" in prompt.text)
    unchanged = await rows_by_table(database_url)
    for table in BOT_WIDE_TABLES:  # the bot's own bookkeeping moves with every message it sends
        unchanged.pop(table, None), before.pop(table, None)
    assert unchanged == before

    prompt = await reply_to(alice, "/forget")
    await alice.tap(prompt, "🗑 Yes, delete everything")
    await alice.wait_for(lambda _: "I've deleted everything" in prompt.text)
    after = await rows_by_table(database_url)
    assert set(after) == {t.name for t in Base.metadata.sorted_tables}
    for table, rows in after.items():
        assert not [r for r in rows if mentions(r, {424242, "Alice-unique"})], table
    assert not [i for i in after["quiz_items"] if i["quiz_id"] in alices_quizzes]
    assert not [r for r in after["review_logs"] if r["card_id"] in alices_cards]
    for table, rows in before.items():  # Bob keeps everything
        bobs = [r for r in rows if not mentions(r, {424242}) and r.get("quiz_id") not in alices_quizzes]
        assert all(r in after[table] for r in bobs), table
    assert len(after["quiz_items"]) == 5 and len(after["cards"]) == 5
