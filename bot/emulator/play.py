"""``quizbot play``: the real bot, against the emulator, chatting in this terminal."""

from __future__ import annotations

from bot.emulator.server import BotApiEmulator
from bot.emulator.terminal import ReadLine, Write, chat_in_terminal, read_stdin
from bot.settings import Settings


async def play_in_terminal(
    settings: Settings,
    *,
    user_id: int = 1,
    language: str | None = "ar",
    first_name: str = "You",
    read_line: ReadLine = read_stdin,
    write: Write = print,
) -> None:
    """Start the emulator and the bot application on it, then chat as one user until /quit."""
    from bot.app import build_application, polling  # the app pulls in the database layer

    async with BotApiEmulator() as emu:
        local = settings.model_copy(
            update={
                "telegram_api_base_url": emu.base_url,
                "telegram_api_file_base_url": emu.base_file_url,
            }
        )
        application = build_application(local, token=emu.token)
        user = emu.user(user_id, first_name=first_name, language_code=language)
        async with polling(application, timeout=1):
            write("Chatting with the bot (offline). Numbers tap buttons, /quit leaves.")
            await chat_in_terminal(emu, user, read_line=read_line, write=write)
