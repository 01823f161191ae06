"""Nobody reaches what is not theirs, and the token never shows.

- The token appears in no log line at any level, nor in any message to a chat, whatever goes wrong
  (`quizbot run` as its own process, at DEBUG, with Telegram failing in every way the emulator can).
- /admin works for the ids in ADMIN_IDS only; to anyone else it is exactly an unknown command, and an
  admin button exactly an invalid one.
- People never see or change each other's quizzes: who taps comes from Telegram, not from the data.
- The webhook compares its secret in constant time.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import signal
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from bot.cli import REFUSED_TOKEN
from bot.emulator import BotApiEmulator
from bot.i18n import t
from bot.settings import Settings
from db.engine import create_engine
from db.models import QuizItem, User
from tests.e2e.quizzing import BANK, question_in, right_label

ADMIN, ANN, BEN, CARL = 9001, 9002, 9003, 9004


def _logged(tmp_path: Path) -> Path:
    return tmp_path / "bot.log"


async def _run_bot(emulator: BotApiEmulator, tmp_path: Path, token: str, **env: str) -> asyncio.subprocess.Process:
    with _logged(tmp_path).open("ab") as log:  # a file, not a pipe: DEBUG output would fill a pipe and stall the bot
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, stdout=log, stderr=log,
            env={
                **os.environ,
                "TELEGRAM_BOT_TOKEN": token,
                "TELEGRAM_API_BASE_URL": emulator.base_url,
                "TELEGRAM_API_FILE_BASE_URL": emulator.base_file_url,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
                "LOG_LEVEL": "DEBUG",
                "REMINDER_SWEEP_SECONDS": "0",
                **env,
            },
        )


async def test_the_token_is_in_no_log_line_and_no_chat_message_whatever_goes_wrong(tmp_path: Path) -> None:
    async with BotApiEmulator() as emulator:
        process = await _run_bot(emulator, tmp_path, emulator.token, TELEGRAM_TIMEOUT_SECONDS="0.5")
        try:
            ann = emulator.user(ANN, "Ann", language_code="en")
            await emulator.wait_for_call("setMyCommands", timeout=30)
            question = await ann.ask("/quiz", timeout=10)
            emulator.fail("answerCallbackQuery", status=500, times=10)  # given up on after the retries
            emulator.fail("sendMessage", status=502, times=10, chat_id=ANN)
            emulator.fail("editMessageText", status=400, description="Bad Request: message can't be edited")
            if question.flat_buttons:  # its popup is refused again and again: the tap goes unanswered
                pending = asyncio.create_task(ann.tap(question, question.flat_buttons[0].text, timeout=30))
            else:
                await ann.send("I don't know")
            await ann.send("/help")
            await ann.send_photo()
            await asyncio.sleep(4)  # every retry given up on
            emulator.clear_faults()
            emulator.delay("sendMessage", 1.0, chat_id=ANN)  # answered after the bot stopped waiting
            await ann.send("/start")
            emulator.fail("sendMessage", status=429, retry_after=1, chat_id=ANN)
            await ann.ask("/help", timeout=10)
            ann.block()
            await ann.send("/quiz")  # Forbidden
            await emulator.wait_idle(quiet=0.5, timeout=20)
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            if question.flat_buttons:
                pending.cancel()
        said = " ".join(str(call.params) for call in emulator.calls)
    logs = _logged(tmp_path).read_text(errors="replace")
    secret = emulator.token.split(":")[1]
    assert "ERROR" in logs and "Traceback" in logs and "retrying" in logs  # the failures did happen, and were logged
    assert emulator.token not in logs and secret not in logs
    assert secret not in said
    print(f"\nsecurity: {len(logs.splitlines())} log lines at DEBUG through failures, the token in none")


async def test_a_token_telegram_refuses_stops_start_up_in_one_line_without_showing_it(tmp_path: Path) -> None:
    refused = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_"  # well formed, unknown to this Telegram
    async with BotApiEmulator() as emulator:
        process = await _run_bot(emulator, tmp_path, refused)
        await asyncio.wait_for(process.wait(), timeout=60)
    logs = _logged(tmp_path).read_text(errors="replace")
    assert process.returncode == 2
    assert logs.strip().splitlines()[-1] == f"quizbot: {REFUSED_TOKEN}"
    assert refused.split(":")[1] not in logs


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The usual test settings, with one admin."""
    return settings.model_copy(update={"admin_ids": [ADMIN]})


async def test_admin_commands_are_an_unknown_command_to_anyone_else(emulator: BotApiEmulator, bot) -> None:  # type: ignore[no-untyped-def]
    ann = emulator.user(ANN, "Ann", language_code="en")
    unknown = (await ann.ask("/nonsense")).text
    for attempt in ("/admin", "/admin reload", "/admin broadcast Free prizes!", "/admin@article_quiz_bot"):
        assert (await ann.ask(attempt)).text == unknown
    welcome = await ann.ask("/start")
    invalid = (await ann.tap_data(welcome.message_id, "zz:forged")).text
    for forged in ("adm:send", "adm:reload", "adm:refresh", "adm:cancel", "adm:"):
        assert (await ann.tap_data(welcome.message_id, forged)).text == invalid
    await emulator.wait_idle()
    assert not [m for m in ann.messages if "Free prizes" in m.text or "Admin" in m.text]


async def test_an_admin_sees_the_counts_reloads_questions_and_broadcasts_once_after_confirming(
    emulator: BotApiEmulator, bot, database_url: str  # type: ignore[no-untyped-def]
) -> None:
    admin = emulator.user(ADMIN, "Ada", language_code="en")
    ann, ben, carl = (emulator.user(n, name, language_code="en") for n, name in ((ANN, "Ann"), (BEN, "Ben"), (CARL, "Carl")))
    for person in (admin, ann, ben, carl):
        await person.ask("/start")
    question = await ann.ask("/quiz")
    if question.flat_buttons:  # one answer today
        await ann.tap(question, right_label(question_in(question, "en"), "en"))
    else:
        await ann.send(right_label(question_in(question, "en"), "en"))

    overview = await admin.ask("/admin")
    assert "Users: 4 · active 4 · seen in the last 7 days 4" in overview.text
    assert "Answers today (UTC): 1" in overview.text
    assert "Questions reloaded" in (await admin.ask("/admin reload")).text

    carl.block()
    intro = await admin.ask("/admin broadcast Hello everyone 👋\nSee you tomorrow.")
    assert "(4)" in intro.text
    preview = await admin.wait_for(lambda messages: messages[-1] if messages[-1].flat_buttons else None)
    assert preview.text == "Hello everyone 👋\nSee you tomorrow."
    assert (await admin.tap(preview, t("en", "admin_broadcast_send", count=4))).text == t("en", "admin_broadcast_sending")
    report = await admin.wait_for(lambda messages: next((m for m in messages if m.text.startswith("Broadcast done")), None))
    assert report.text == "Broadcast done: 3 sent, 1 blocked the bot, 0 failed."
    again = await admin.tap_data(preview.message_id, "adm:send")  # a second tap, or a second admin
    assert again.text == t("en", "admin_broadcast_closed")
    await emulator.wait_idle()
    for person in (admin, ann, ben):
        assert [m.text for m in person.messages].count("Hello everyone 👋\nSee you tomorrow.") == 1 + (person is admin)
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        assert (await connection.execute(select(User.active).where(User.id == CARL))).scalar_one() is False
    await engine.dispose()

    await admin.ask("/admin broadcast Never mind")
    draft = await admin.wait_for(lambda messages: messages[-1] if messages[-1].flat_buttons else None)
    assert (await admin.tap(draft, "✖️ Cancel")).text == t("en", "admin_broadcast_cancelled")
    await emulator.wait_idle()
    assert not [m for m in ann.messages + ben.messages if m.text == "Never mind"]


async def test_nobody_sees_or_answers_anothers_quiz_whatever_the_button_says(
    emulator: BotApiEmulator, bot, database_url: str  # type: ignore[no-untyped-def]
) -> None:
    ann, ben = emulator.user(ANN, "Ann", language_code="en"), emulator.user(BEN, "Ben", language_code="en")
    question, typed = await ann.ask("/quiz"), 0
    while not question.flat_buttons:  # to a question with buttons
        before = len(ann.messages)
        await ann.send(right_label(question_in(question, "en"), "en"))
        typed += 1
        question = await ann.wait_for(lambda messages: messages[before + 1] if len(messages) > before + 1 else None)
    anns_taps = [button.callback_data or "" for button in question.flat_buttons]
    quiz_id = anns_taps[0].split(":")[1]
    mine = await ben.ask("/start")
    for data in anns_taps:  # Ann's very buttons, tapped by Ben
        assert (await ben.tap_data(mine.message_id, data)).text == t("en", "notice_invalid")
    assert (await ben.tap_data(mine.message_id, f"h:{quiz_id}")).text == t("en", "notice_no_such_quiz")
    await emulator.wait_idle()
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        answered = (await connection.execute(select(QuizItem.id).where(QuizItem.answered_at.is_not(None)))).all()
    await engine.dispose()
    assert len(answered) == typed  # Ann's own answers only
    assert not [m for m in ben.messages if any(q.prompt.in_("en") in m.text for q in BANK)]  # nothing of Ann's shown


async def test_the_webhook_secret_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import webhook

    compared: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def spy(given: bytes, expected: bytes) -> bool:
        compared.append((given, expected))
        return constant_time(given, expected)

    monkeypatch.setattr(webhook.hmac, "compare_digest", spy)
    receiver = webhook.UpdateReceiver(SimpleNamespace(bot=None), "s3cret-s3cret-s3cret", clock=lambda: None)  # type: ignore[arg-type]

    async def no_body() -> object:
        raise ValueError("no JSON")

    for given in ("", "s3cret", "s3cret-s3cret-s3cret-and-more"):
        request = SimpleNamespace(headers={webhook.SECRET_HEADER: given}, json=no_body)
        assert (await receiver.telegram(request)).status_code == 403  # type: ignore[arg-type]
    request = SimpleNamespace(headers={webhook.SECRET_HEADER: "s3cret-s3cret-s3cret"}, json=no_body)
    assert (await receiver.telegram(request)).status_code == 400  # type: ignore[arg-type]  # past the secret
    assert len(compared) == 4
