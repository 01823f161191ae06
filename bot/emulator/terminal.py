"""Chat with the bot from a terminal, through the Bot API emulator.

Bot messages are printed as they arrive (edited ones marked), inline buttons are numbered;
typing a number taps that button of the latest message that has buttons, anything else is
sent as a text message, ``/quit`` or end of input leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable

from bot.emulator.models import BotMessage
from bot.emulator.server import BotApiEmulator, SimulatedUser

__all__ = ["chat_in_terminal", "format_message", "read_stdin"]

ReadLine = Callable[[str], Awaitable[str | None]]
Write = Callable[[str], None]


async def read_stdin(prompt: str) -> str | None:
    """input() in a daemon thread so the event loop keeps running; None at end of input.

    A daemon thread (not the loop's executor) so that Ctrl-C while input() waits does not
    leave asyncio.run() waiting for that thread at exit.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()

    def settle(value: str | None) -> None:
        if not future.done():
            future.set_result(value)

    def read() -> None:
        try:
            line: str | None = input(prompt)
        except (EOFError, KeyboardInterrupt):
            line = None
        with contextlib.suppress(RuntimeError):  # the loop may be closed already
            loop.call_soon_threadsafe(settle, line)

    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    return await future


def format_message(message: BotMessage, *, edited: bool = False) -> str:
    """A bot message as terminal text, its inline buttons numbered from 1."""
    marker = " (edited)" if edited else ""
    body = message.text
    if message.kind == "photo":
        body = f"[photo, {message.file.size if message.file else 0} bytes] {body}".rstrip()
    elif message.kind == "document":
        name = message.file.file_name if message.file else "file"
        body = f"[document {name}] {body}".rstrip()
    lines = [f"bot{marker}: {body}"]
    number = 1
    for row in message.buttons:
        cells = []
        for button in row:
            cells.append(f"[{number}] {button.text}")
            number += 1
        lines.append("   " + "   ".join(cells))
    return "\n".join(lines)


async def chat_in_terminal(
    emu: BotApiEmulator,
    user: SimulatedUser,
    *,
    read_line: ReadLine = read_stdin,
    write: Write = print,
    prompt: str = "> ",
    answer_timeout: float = 5.0,
) -> None:
    """Let a person chat with the bot as ``user`` until ``/quit`` or end of input."""
    printed: dict[int, tuple[int, bool]] = {}

    def flush() -> None:
        for message in list(user.chat.bot_messages.values()):
            state = (message.edit_count, message.deleted)
            before = printed.get(message.message_id)
            if before == state:
                continue
            printed[message.message_id] = state
            if message.deleted:
                if before is not None:
                    write(f"bot: (deleted a message: {message.text[:40]})")
            else:
                write(format_message(message, edited=before is not None))

    async def follow() -> None:
        while True:
            flush()
            await emu.wait_change()

    async def settle() -> None:
        with contextlib.suppress(AssertionError):
            await emu.wait_idle(quiet=0.1, timeout=answer_timeout)
        flush()

    follower = asyncio.create_task(follow())
    try:
        await settle()
        while True:
            line = await read_line(prompt)
            if line is None or line.strip() == "/quit":
                break
            line = line.strip()
            if not line:
                continue
            if line.isdigit():
                target = next((m for m in reversed(user.messages) if m.flat_buttons), None)
                index = int(line) - 1
                if target is None or not 0 <= index < len(target.flat_buttons):
                    write("(no such button)")
                    continue
                try:
                    answer = await user.tap(target, index, timeout=answer_timeout)
                except AssertionError:
                    write("(the bot did not answer the button)")
                else:
                    if answer.text:
                        write(f"[alert] {answer.text}" if answer.show_alert else f"({answer.text})")
            else:
                await user.send(line)
            await settle()
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower
        flush()
