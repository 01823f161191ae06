"""`quizbot run` as its own process: it polls the Bot API, answers, stops cleanly, and never logs the token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.emulator import BotApiEmulator


async def test_quizbot_run_serves_stops_on_sigterm_and_keeps_the_token_out_of_logs(tmp_path: Path) -> None:
    async with BotApiEmulator() as emulator:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": emulator.token,
            "TELEGRAM_API_BASE_URL": emulator.base_url,
            "TELEGRAM_API_FILE_BASE_URL": emulator.base_file_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "LOG_LEVEL": "DEBUG",  # the most talkative level must still hide the token
        }
        log_file = tmp_path / "bot.log"
        with log_file.open("wb") as output:  # a file, not a pipe: DEBUG output would fill a pipe and stall the bot
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env, stdout=output, stderr=output
            )
            try:
                alice = emulator.user(1001, "Alice", language_code="en")
                await emulator.wait_for_call("setMyCommands", timeout=30)
                assert "Hello Alice" in (await alice.ask("/start", timeout=10)).text
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), timeout=20)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
    logs = log_file.read_text()
    assert process.returncode == 0, logs[-2000:]
    assert "getUpdates" in logs or "Application" in logs  # it did log, at DEBUG
    assert emulator.token not in logs
    assert emulator.token.split(":")[1] not in logs
